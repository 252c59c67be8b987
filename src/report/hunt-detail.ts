// `culprit show ID`: a stored hunt for the terminal: what was asked, what was found, and every probe.
import type { HuntRow, ProbeRow } from '../store/store-types.js';
import { padColumns } from '../text/format.js';
import { buildText, rangeText, resultText, short, statusOf, testText, totalSeconds } from './hunt-facts.js';

/** A narrowing probe is a configuration on the parent: named as one, with what it did against the failure. */
export function probeTableRows(probes: readonly ProbeRow[]): string[][] {
  return probes.map((probe) => [
    String(probe.step),
    probe.phase,
    probe.configuration === null ? short(probe.commit) : `${short(probe.commit)}+${probe.configuration.slice(0, 8)}`,
    probe.endedAt === null ? 'in flight' : (probe.progress?.narrowing?.outcome ?? (probe.searchVerdict === 'abort' ? 'abort' : probe.verdict)),
    probe.source === 'cached' ? `cached (hunt ${probe.cachedFrom ?? '?'})` : 'run',
    probe.exitCode === null ? (probe.signal ?? '') : String(probe.exitCode),
    probe.endedAt === null ? '' : probe.seconds.toFixed(2),
    probe.configuration === null ? probe.subject : (probe.progress?.narrowing?.what ?? `a configuration on ${short(probe.commit)}`),
  ]);
}

export function huntDetailText(hunt: HuntRow, probes: readonly ProbeRow[]): string {
  const lines = [
    `Hunt ${hunt.id}: ${statusOf(hunt)}`,
    `Repository: ${hunt.repo} (${hunt.vcs})`,
    `Range:      ${rangeText(hunt)}${hunt.candidates === null ? '' : `, ${hunt.candidates} candidates`}`,
    `Test:       ${testText(hunt)}`,
  ];
  const build = buildText(hunt);
  if (build) lines.push(`Build:      ${build}`);
  lines.push(`Started:    ${hunt.createdAt}${hunt.finishedAt ? `, finished ${hunt.finishedAt}` : ''}`);
  lines.push(`Result:     ${resultText(hunt)}`);
  if (hunt.result?.reproduce) lines.push(`Reproduce:  ${hunt.result.reproduce}`);
  const rows = [['STEP', 'PHASE', 'COMMIT', 'VERDICT', 'SOURCE', 'EXIT', 'SECONDS', 'SUBJECT'], ...probeTableRows(probes)];
  lines.push('', `Probes (${probes.length}, ${totalSeconds(probes).toFixed(1)} s run):`);
  for (const row of padColumns(rows)) lines.push(`  ${row}`);
  return `${lines.join('\n')}\n`;
}
