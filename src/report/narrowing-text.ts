// Terminal rendering of a narrowing: the minimal diff (coloured on a terminal), the tests each level used,
// and the three verification checks in words a user can act on.
import type { Narrowing, VerificationCheck } from '../model/stage-results.js';

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const CYAN = '\u001b[36m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

export function colorDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('diff --git') || line.startsWith('--- ') || line.startsWith('+++ ')) return `${BOLD}${line}${RESET}`;
      if (line.startsWith('@@')) return `${CYAN}${line}${RESET}`;
      if (line.startsWith('+')) return `${GREEN}${line}${RESET}`;
      if (line.startsWith('-')) return `${RED}${line}${RESET}`;
      return line;
    })
    .join('\n');
}

function checkLine(check: VerificationCheck, what: string, good: string): string {
  if (check.outcome === 'not-applicable') return `  - ${what}: not checked (${check.reason ?? 'the change does not apply there'})`;
  const mark = check.ok ? 'ok ' : 'NO ';
  return `  ${mark} ${what}: ${check.outcome === 'fail' ? 'fails' : check.outcome === 'pass' ? 'passes' : 'fails differently'}${check.ok ? ` — ${good}` : ''}`;
}

/** What the change is called: only a complete, verified search earns "minimal failure-inducing change". */
export function narrowingHeadline(narrowing: Narrowing): string {
  const changes = narrowing.changes.length;
  const size = `${changes} changed line${changes === 1 ? '' : 's'} or token${changes === 1 ? '' : 's'}`;
  if (narrowing.minimal === false) return `Stopped after ${narrowing.stoppedAfter ?? 'its budget'}: this change (${size}) still fails; it may not be minimal (continue with culprit resume)`;
  if (narrowing.verified === false) return `Smallest failing change found (${size}), NOT verified: see the checks below`;
  const fallback = narrowing.rejected?.length ? `, at the ${narrowing.changes[0]?.level ?? narrowing.level} level: the deeper answer did not verify` : '';
  return `Minimal failure-inducing change${fallback}`;
}

/** Tests per level, with the unresolved ones and the ones a syntax check answered without a test. */
export function levelSummary(narrowing: Narrowing): string {
  return narrowing.levels
    .map((level) => {
      const extra = [level.unresolved ? `${level.unresolved} unresolved` : '', level.predicted ? `${level.predicted} rejected by the syntax check` : ''].filter(Boolean).join(', ');
      // "2 tokens in 1 test": what each level searched, and what it cost.
      return `${level.units} ${level.level}${level.units === 1 ? '' : 's'} in ${level.tests} test${level.tests === 1 ? '' : 's'}${extra ? ` (${extra})` : ''}`;
    })
    .join(', ');
}

export function renderNarrowing(narrowing: Narrowing, color: boolean): string[] {
  const lines: string[] = [];
  if (narrowing.status !== 'narrowed') {
    lines.push(`Narrowing stopped: ${narrowing.note ?? narrowing.status}`);
    return lines;
  }
  lines.push(`${narrowingHeadline(narrowing)} (${narrowing.level} level; ${narrowing.tests} test${narrowing.tests === 1 ? '' : 's'}: ${levelSummary(narrowing) || 'none needed'}; failure = ${narrowing.signature}):`);
  for (const rejected of narrowing.rejected ?? []) {
    lines.push(`  rejected: the ${rejected.level}-level change of ${rejected.changes} line(s)/token(s), because ${rejected.failed.join('; ') || 'its checks did not hold'}`);
  }
  if (narrowing.checks?.length) lines.push(`  checked before each test: ${narrowing.checks.join('; ')}`);
  lines.push('', (color ? colorDiff(narrowing.diff) : narrowing.diff).replace(/\n$/, ''), '', 'Verification:');
  const verification = narrowing.verification;
  if (verification) {
    lines.push(checkLine(verification.parentPlusChange, 'parent + this change', 'the change alone reproduces the failure'));
    lines.push(checkLine(verification.commitMinusChange, 'first bad commit − this change', 'the rest of the commit is innocent'));
    if (verification.badMinusChange) {
      lines.push(checkLine(verification.badMinusChange, 'your bad revision − this change', 'reverting these lines on your bad revision fixes it'));
    }
  }
  return lines;
}
