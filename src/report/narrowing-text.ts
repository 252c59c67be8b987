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

export function renderNarrowing(narrowing: Narrowing, color: boolean): string[] {
  const lines: string[] = [];
  if (narrowing.status !== 'narrowed') {
    lines.push(`Narrowing stopped: ${narrowing.note ?? narrowing.status}`);
    return lines;
  }
  const perLevel = narrowing.levels.map((level) => `${level.level} ${level.tests}/${level.units}`).join(', ');
  lines.push(`Minimal failure-inducing change (${narrowing.level} level; ${narrowing.tests} tests: ${perLevel || 'none needed'}; failure = ${narrowing.signature}):`);
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
