// Each stage's result as a section of a report: lines for the terminal summary and for Markdown. The terminal
// and Markdown reports walk a hunt's stage results and ask this module for each one's section.
import type { FlakyFacts, MergeDescentResult, MetricFacts, NarrowingResult, SourceResult, StageResult, VerificationCheck, VersionsResult } from '../model/stage-results.js';
import { LISTED } from '../model/versions-spec.js';
import { fence, short } from '../text/format.js';
import { factorsCounts, factorsDetails, factorsMarkdown } from './factors-text.js';
import { levelSummary, narrowingHeadline, renderNarrowing } from './narrowing-text.js';

export function descentSentence(descent: MergeDescentResult): string {
  if (descent.commit) return `Inside the merged branch, ${descent.commit} is the first bad commit (${descent.probes} probes to find it).`;
  if (descent.candidates.length > 0) return `Inside the merged branch, skipped commits hide the first bad one: ${descent.candidates.map(short).join(', ')}`;
  return 'The merged branch passes on its own: the merge itself introduced the failure.';
}

export function versionsSentence(versions: VersionsResult): string {
  const installs = `${versions.installs} install${versions.installs === 1 ? '' : 's'}`;
  const skipped = versions.skipped.length === 0 ? '' : `; could not test ${versions.skipped.join(', ')}`;
  const of = versions.origin === LISTED ? 'Versions' : `Versions of ${versions.origin}`;
  if (versions.firstBad) return `${of}: ${versions.firstBad} is the first bad version, ${versions.lastGood ?? 'none'} the last good one (${versions.candidatesAtStart} version${versions.candidatesAtStart === 1 ? '' : 's'} searched, ${installs}${skipped}).`;
  return `${of}: skipped versions hide the first bad one; it is one of ${versions.candidates.join(', ')} (${installs}${skipped}).`;
}

/** What the flaky search found and how sure it is, with the flake rate it assumed and where that came from. */
export function flakySentence(facts: FlakyFacts, firstBad: string | null): string {
  const rate = facts.estimate ? `learnt from ${facts.estimate.runs} runs of the bad revision, ${facts.estimate.passes} of which passed, and the search's own runs` : 'as given';
  const assumed = `flake rate ${facts.flakeRate.toFixed(2)} (${rate}); ${facts.runs} test run${facts.runs === 1 ? '' : 's'} in the search`;
  if (firstBad) return `Flaky search: ${short(firstBad)} is the first bad commit with probability ${facts.probability.toFixed(3)} (asked for ${facts.confidence}); ${assumed}.`;
  const likeliest = facts.likeliest.map((candidate) => `${short(candidate.commit)} ${candidate.probability.toFixed(2)}`).join(', ');
  const why = facts.contradiction ? `stopped because ${facts.contradiction}; ` : '';
  return `Flaky search: no commit reached ${facts.confidence} (${why}likeliest: ${likeliest}); ${assumed}.`;
}

/** The endpoints' two distributions of a metric and the shift between them, as a performance hunt found them. */
export function metricSentence(facts: MetricFacts): string {
  const side = (summary: MetricFacts['good']): string => `median ${round(summary.median)} (IQR ${round(summary.iqr)}, n ${summary.n})`;
  const percent = `${facts.relativeShift >= 0 ? '+' : ''}${(facts.relativeShift * 100).toFixed(1)}%`;
  return `Metric /${facts.pattern}/ (${facts.worse} is worse): good ${side(facts.good)}, bad ${side(facts.bad)}; shift ${round(facts.shift)} (${percent}), p = ${facts.pValue.toPrecision(2)}.`;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

export function sourceSentence(source: SourceResult): string {
  const untagged = source.untagged?.length ? ` (${source.untagged.join(' and ')} had no tag there: the nearest tagged versions were used)` : '';
  return `Handed off to ${source.repo}: ${source.good.version} is ${source.good.via} (${short(source.good.revision)}), ${source.bad.version} is ${source.bad.via} (${short(source.bad.revision)}); the commits between them were searched${untagged}.`;
}

/** The lines a stage adds to the terminal summary of a hunt (none for stages the summary's head already covers). */
export function stageText(stage: StageResult, color: boolean): string[] {
  switch (stage.stage) {
    case 'factors':
      return ['', ...factorsDetails(stage), `${factorsCounts(stage)}.`];
    case 'versions':
      return ['', versionsSentence(stage)];
    case 'source':
      return [sourceSentence(stage)];
    case 'merge-descent':
      return ['', descentSentence(stage)];
    case 'narrowing':
      return ['', ...renderNarrowing(stage, color)];
    case 'bisection':
      if (stage.metric) return ['', metricSentence(stage.metric)];
      return stage.flaky ? ['', flakySentence(stage.flaky, stage.firstBad?.commit ?? null)] : [];
    case 'merge-bases':
    case 'endpoints':
      return [];
  }
}

function checkCell(check: VerificationCheck | null, what: string): string {
  if (!check) return `| ${what} | not checked (the bad revision is the narrowed commit) |`;
  if (check.outcome === 'not-applicable') return `| ${what} | not checked: ${check.reason ?? 'the change does not apply there'} |`;
  return `| ${what} | ${check.ok ? 'ok' : '**NO**'}: expected ${check.expected}, got ${check.outcome} |`;
}

function narrowingMarkdown(narrowing: NarrowingResult): string[] {
  if (narrowing.status !== 'narrowed' || !narrowing.diff) return narrowing.note ? ['', `Narrowing: ${narrowing.note}`] : [];
  const out = ['', `### ${narrowingHeadline(narrowing)}`, '', `${narrowing.tests} test${narrowing.tests === 1 ? '' : 's'} (${levelSummary(narrowing) || 'none needed'}); failure = ${narrowing.signature}.`];
  for (const rejected of narrowing.rejected ?? []) out.push('', `Rejected: the ${rejected.level}-level change of ${rejected.changes} line(s)/token(s), because ${rejected.failed.join('; ') || 'its checks did not hold'}.`);
  if (narrowing.checks?.length) out.push('', `Checked before each test: ${narrowing.checks.join('; ')}.`);
  out.push('', fence(narrowing.diff, 'diff'));
  const checks = narrowing.verification;
  if (checks) {
    out.push('', '#### Verification', '', '| check | result |', '|---|---|');
    out.push(checkCell(checks.parentPlusChange, 'parent + this change fails'), checkCell(checks.commitMinusChange, 'first bad commit − this change passes'));
    out.push(checkCell(checks.badMinusChange, 'bad revision − this change passes'));
  }
  return out;
}

/** The lines a stage adds to the Markdown report. */
export function stageMarkdown(stage: StageResult): string[] {
  switch (stage.stage) {
    case 'factors':
      return factorsMarkdown(stage);
    case 'versions':
      return ['', '### Released versions', '', versionsSentence(stage)];
    case 'source':
      return ['', '### Commits between the two versions', '', sourceSentence(stage)];
    case 'merge-descent':
      return ['', descentSentence(stage)];
    case 'narrowing':
      return narrowingMarkdown(stage);
    case 'merge-bases':
      return stage.tested.length === 0 ? [] : ['', `Merge bases tested first (goods off bad's line): ${stage.tested.map((base) => `\`${short(base.commit)}\` ${base.verdict}`).join(', ')}`];
    case 'bisection':
      if (stage.metric) return metricMarkdown(stage.metric);
      return stage.flaky ? flakyMarkdown(stage.flaky, stage.firstBad?.commit ?? null) : [];
    case 'endpoints':
      return [];
  }
}

function metricMarkdown(facts: MetricFacts): string[] {
  const out = ['', '### Performance', '', metricSentence(facts), '', '| endpoint | n | median | IQR |', '|---|---:|---:|---:|'];
  out.push(`| good | ${facts.good.n} | ${round(facts.good.median)} | ${round(facts.good.iqr)} |`, `| bad | ${facts.bad.n} | ${round(facts.bad.median)} | ${round(facts.bad.iqr)} |`);
  return out;
}

function flakyMarkdown(facts: FlakyFacts, firstBad: string | null): string[] {
  const out = ['', '### Flaky search', '', flakySentence(facts, firstBad), '', '| commit | posterior |', '|---|---:|'];
  for (const candidate of facts.likeliest) out.push(`| \`${short(candidate.commit)}\` | ${candidate.probability.toFixed(4)} |`);
  return out;
}
