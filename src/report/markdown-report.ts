// `culprit report ID --format markdown`: paste-ready for an issue tracker — the range, the first bad commit,
// the minimal change when narrowed, the reproduce command, and the probes folded in a <details> block.
import { answersWithVersion, factorsOf } from '../model/stage-results.js';
import { factorText } from './factors-text.js';
import type { HuntRow, ProbeRow } from '../store/store-types.js';
import { probeTableRows } from './hunt-detail.js';
import { stageMarkdown } from './stage-sections.js';
import { fence, short } from '../text/format.js';
import { finishedProbes, rangeText, statusOf, testText, totalSeconds } from './hunt-facts.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownReport(hunt: HuntRow, allProbes: readonly ProbeRow[]): string {
  const probes = finishedProbes(allProbes);
  const result = hunt.result;
  const first = result?.firstBad;
  const out: string[] = [];
  // A hunt over released versions names a version unless it went on into the source, where it named a commit.
  const what = answersWithVersion(hunt.vcs, result?.stages ?? []) ? 'version' : 'commit';
  const factors = result ? factorsOf(result.stages) : undefined;
  if (factors) out.push(`## Regression: ${factors.needed.map((factor) => `\`${factorText(factor)}\``).join(', ')}`);
  else if (first?.since) out.push(`## Regression: the change from \`${short(first.since)}\` to \`${short(first.commit)}\` (several commits, narrowed as one)`);
  else out.push(first ? `## Regression: first bad ${what} \`${short(first.commit)}\` — ${first.subject}` : `## Regression hunt ${hunt.id}: ${statusOf(hunt)}`);
  out.push('');
  out.push(`- **Repository:** \`${hunt.repo}\` (${hunt.vcs})`);
  const spec = hunt.arguments.factors;
  if (spec) {
    const total = factors?.total ?? hunt.candidates ?? 0;
    const what = spec.kind === 'deps' ? `package changes between \`${hunt.arguments.goodNames.join(', ')}\` (good) and \`${hunt.arguments.badName}\` (bad)` : `factors${spec.file ? ` of \`${spec.file}\`` : ''}`;
    out.push(`- **Searched:** ${total} ${what}`);
  } else if (hunt.arguments.narrowOnly) out.push(`- **Narrowed:** the change ${rangeText(hunt).replace(/ \.\. /, ' (good) .. ')} (bad)${hunt.candidates !== null && hunt.candidates > 1 ? `, which spans ${hunt.candidates} commits` : ''}`);
  else out.push(`- **Searched:** ${rangeText(hunt).replace(/ \.\. /, ' (good) .. ')} (bad)${hunt.candidates === null ? '' : `, ${hunt.candidates} candidate ${what}s`}`);
  out.push(`- **Test:** \`${cell(testText(hunt))}\``);
  if (spec) {
    if (!result) out.push(`- **Status:** ${statusOf(hunt)}${hunt.error ? `: ${hunt.error}` : ''}; continue with \`culprit resume ${hunt.id}\``);
  } else if (first) {
    out.push(first.since ? `- **Change:** from ${first.since} (good) to ${first.commit} — ${first.subject} (bad)` : `- **First bad ${what}:** ${first.commit} — ${first.subject}`);
    if (first.author) out.push(`- **Author:** ${first.author}, ${first.date}`);
    if (first.files.length > 0) out.push(`- **Changed files:** ${first.files.slice(0, 20).map((file) => `\`${file}\``).join(', ')}${first.files.length > 20 ? `, … ${first.files.length - 20} more` : ''}`);
  } else if (result) {
    out.push(`- **First bad ${what}:** one of ${result.candidates.map((commit) => `\`${short(commit)}\``).join(', ')} (skipped ${what}s hide which)`);
  } else {
    out.push(`- **Status:** ${statusOf(hunt)}${hunt.error ? `: ${hunt.error}` : ''}; continue with \`culprit resume ${hunt.id}\``);
  }
  const cached = probes.filter((probe) => probe.source === 'cached').length;
  out.push(`- **Probes:** ${probes.length} (${cached} from the verdict cache), ${totalSeconds(probes).toFixed(1)} s of testing`);
  for (const stage of result?.stages ?? []) out.push(...stageMarkdown(stage));
  if (result?.reproduce) out.push('', '### Reproduce', '', fence(result.reproduce, 'sh'));
  out.push('', `<details><summary>Probes (${probes.length})</summary>`, '');
  out.push('| step | phase | commit | verdict | source | exit | seconds | subject |', '|---:|---|---|---|---|---:|---:|---|');
  for (const row of probeTableRows(probes)) out.push(`| ${row.map((value, index) => (index === 2 ? `\`${value}\`` : cell(value))).join(' | ')} |`);
  out.push('', '</details>', '');
  return out.join('\n');
}
