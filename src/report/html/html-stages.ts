// Each stage's result as a section of the HTML report, in the order the stages ran: released versions, the hand-off
// to the source, endpoints, merge bases, the bisection (range, posteriors, metric samples), merge descent, narrowing, factors.
import { compileMetric, metricOf } from '../../hunt/metric-sampler.js';
import type { HuntArguments, ProbeRow } from '../../store/store-types.js';
import type { BisectionResult, FactorsResult, MergeBasesResult, MergeDescentResult, NarrowingResult, StageResult } from '../../model/stage-results.js';
import { short } from '../../text/format.js';
import { factorText, factorsCounts, factorsDetails, factorsHeadline } from '../factors-text.js';
import { levelSummary, narrowingHeadline } from '../narrowing-text.js';
import { descentSentence, flakySentence, metricSentence, sourceSentence, versionsSentence } from '../stage-sections.js';
import { leaderChart, levelsChart, posteriorChart, rangeChart, samplesChart, type RangePoint, type SampleRow } from './html-charts.js';
import { diffView } from './html-diff.js';
import { html, joinHtml, type Html } from './html-text.js';
import { verdictCell } from './html-timeline.js';

/** A search's probes as its range chart plots them, in the order their verdicts came in. */
export interface RangeSegment {
  search: string;
  points: RangePoint[];
  probes: ProbeRow[];
}

/**
 * The probes that narrowed each search (released versions, the commits, a merged branch), in the order their verdicts
 * arrived: with several workers that is not the order they started in. Endpoint checks alongside carry no search.
 */
export function rangeSegments(probes: readonly ProbeRow[]): RangeSegment[] {
  const bySearch = new Map<string, ProbeRow[]>();
  for (const probe of probes) {
    const search = probe.progress?.search;
    if (search === undefined || probe.endedAt === null) continue;
    bySearch.set(search, [...(bySearch.get(search) ?? []), probe]);
  }
  return [...bySearch].map(([search, rows]) => {
    const ordered = [...rows].sort((a, b) => (a.endedAt ?? '').localeCompare(b.endedAt ?? '') || a.step - b.step);
    return {
      search,
      probes: ordered,
      points: ordered.map((probe) => ({ step: probe.step, label: short(probe.commit), verdict: probe.progress?.verdict ?? probe.verdict, candidatesLeft: probe.progress?.candidatesLeft ?? 0 })),
    };
  });
}

export interface StageContext {
  args: HuntArguments;
  probes: readonly ProbeRow[];
  /** Each search's probes, by the search's name. */
  searches: ReadonlyMap<string, RangeSegment>;
}

function section(id: string, title: string, body: Html): Html {
  return html`<section id="${id}" class="stage" aria-labelledby="${id}-title"><h2 id="${id}-title">${title}</h2>${body}</section>`;
}

function figure(chart: Html, caption: string): Html {
  return html`<figure>${chart}<figcaption>${caption}</figcaption></figure>`;
}

function rangeFigure(id: string, start: number, segment: RangeSegment | undefined): Html | null {
  if (!segment || segment.points.length === 0) return null;
  const end = segment.points.at(-1)?.candidatesLeft ?? start;
  return figure(rangeChart(id, Math.max(start, ...segment.points.map((point) => point.candidatesLeft)), segment.points), `The range after each of ${segment.points.length} probes: ${start} candidates down to ${end}. Circles are good, squares bad, diamonds hangs, triangles skips.`);
}

/** A metric's samples at the endpoints and at each commit the search sampled, read back from the runs' output. */
function metricRows(args: HuntArguments, probes: readonly ProbeRow[], segment: RangeSegment | undefined): SampleRow[] {
  const spec = args.metric;
  const good = args.goods[0];
  if (!spec || good === undefined) return [];
  const pattern = compileMetric(spec.pattern);
  const valuesOf = (rows: readonly ProbeRow[]): number[] => rows.flatMap((probe) => metricOf(probe, pattern) ?? []);
  const endpoint = (commit: string): number[] => valuesOf(probes.filter((probe) => probe.phase === 'verify' && probe.commit === commit && probe.configuration === null));
  const rows: SampleRow[] = [
    { label: `good ${short(good)}`, role: 'good', values: endpoint(good) },
    { label: `bad ${short(args.bad)}`, role: 'bad', values: endpoint(args.bad) },
  ];
  for (const decided of segment?.probes ?? []) {
    if (decided.phase !== 'bisect') continue;
    rows.push({ label: short(decided.commit), role: decided.progress?.verdict ?? 'skip', values: valuesOf(probes.filter((probe) => probe.phase === 'bisect' && probe.commit === decided.commit)) });
  }
  return rows.filter((row) => row.values.length > 0).slice(0, 16);
}

function bisectionSection(stage: BisectionResult, context: StageContext, id: string): Html {
  const segment = context.searches.get('bisection');
  const how = stage.strategy === 'flaky' ? 'the flaky search (Bayesian)' : stage.strategy === 'parallel' ? `k-way cuts with ${stage.workers} workers` : `${stage.strategy} bisect’s choices`;
  const parts: Html[] = [html`<p>${stage.candidatesAtStart} candidate commits, searched with ${how}; ${stage.rounds} probe${stage.rounds === 1 ? '' : 's'} one after another. ${stage.status === 'found' ? html`First bad: <code>${stage.firstBad?.commit ?? ''}</code>.` : html`Skipped commits hide which of ${stage.candidates.length} is first bad.`}</p>`];
  const flaky = stage.flaky;
  if (flaky) {
    parts.push(html`<p>${flakySentence(flaky, stage.status === 'found' ? (stage.firstBad?.commit ?? null) : null)}</p>`);
    const bars = flaky.likeliest.slice(0, 12).map((candidate) => ({ label: short(candidate.commit), probability: candidate.probability }));
    if (bars.length > 0) parts.push(figure(posteriorChart(`${id}-posterior`, bars, flaky.confidence), `The ${bars.length} likeliest first bad commits and their posteriors; the line marks the confidence asked for.`));
    const leaders = (segment?.probes ?? []).flatMap((probe) => (probe.progress?.leader ? [{ step: probe.step, label: short(probe.progress.leader.commit), probability: probe.progress.leader.probability }] : []));
    if (leaders.length > 1) parts.push(figure(leaderChart(`${id}-leader`, leaders, flaky.confidence), 'The likeliest commit’s posterior after each run of the search.'));
  } else {
    const range = rangeFigure(`${id}-range`, stage.candidatesAtStart, segment);
    if (range) parts.push(range);
  }
  if (stage.metric) {
    parts.push(html`<p>${metricSentence(stage.metric)}</p>`);
    const rows = metricRows(context.args, context.probes, segment);
    if (rows.length > 0) parts.push(figure(samplesChart(`${id}-samples`, rows, `/${stage.metric.pattern}/ (${stage.metric.worse} is worse)`), 'Every sample of the metric: the endpoints first, then each commit the search sampled; boxes span the middle half, the bar is the median.'));
  }
  return section(id, 'Bisection', joinHtml(parts));
}

function mergeBasesSection(stage: MergeBasesResult, id: string): Html {
  const items = stage.tested.map((tested) => html`<li><code>${short(tested.commit)}</code>: ${verdictCell(tested.verdict)}</li>`);
  return section(id, 'Merge bases', html`<p>Merge bases between the good and the bad revisions were tested first: a bad one would mean the regression is older than the good revision’s branch.</p><ul>${joinHtml(items)}</ul>`);
}

function descentSection(stage: MergeDescentResult, context: StageContext, id: string): Html {
  const segment = context.searches.get('merge-descent');
  const range = rangeFigure(`${id}-range`, stage.candidatesAtStart ?? Math.max(0, ...(segment?.points.map((point) => point.candidatesLeft) ?? [0])), segment);
  return section(id, 'Inside the merge', html`<p>The first bad commit on the first-parent line is the merge <code>${short(stage.merge)}</code>. ${descentSentence(stage)}</p>${range}`);
}

function narrowingSection(stage: NarrowingResult, id: string): Html {
  if (stage.status !== 'narrowed') return section(id, 'Narrowing', html`<p>Narrowing stopped: ${stage.note ?? stage.status}.</p>`);
  const levels = stage.levels.map((level) => ({ level: `${level.level}s`, units: level.units, tests: level.tests, ...(level.kept === undefined ? {} : { kept: level.kept }) }));
  const rejected = (stage.rejected ?? []).map(
    (answer, index) =>
      html`<details data-print-open><summary>Rejected: the ${answer.level}-level change of ${answer.changes} line(s)/token(s), because ${answer.failed.join('; ') || 'its checks did not hold'}</summary>${answer.diff ? diffView(answer.diff, `rejected-${index}`, `Rejected ${answer.level}-level change`) : null}</details>`,
  );
  return section(
    id,
    'Narrowing',
    html`<p>${narrowingHeadline(stage)}. The change of <code>${short(stage.commit)}</code> against <code>${short(stage.parent)}</code> was searched down to the ${stage.level} level in ${stage.tests} test${stage.tests === 1 ? '' : 's'} (${levelSummary(stage) || 'none needed'}); the failure is “${stage.signature}”.</p>
${levels.length > 0 ? figure(levelsChart(`${id}-levels`, levels), 'Units searched at each level (outer bars) and the ones kept for the next level (inner bars).') : null}
${stage.checks?.length ? html`<p>Checked before each test: ${stage.checks.join('; ')}.</p>` : null}
${stage.note ? html`<p>${stage.note}</p>` : null}
${joinHtml(rejected)}`,
  );
}

function factorsSection(stage: FactorsResult, id: string): Html {
  const rows = stage.needed.map((factor) => (stage.space === 'deps' ? html`<tr><th scope="row"><code>${factor.name}</code>${factor.change?.under ? html` (in <code>${factor.change.under}</code>)` : null}</th><td>${factor.change?.from ?? '—'}</td><td>${factor.change?.to ?? '—'}</td></tr>` : html`<tr><th scope="row">${factor.name}</th><td>good side</td><td>bad side</td></tr>`));
  const title = stage.space === 'deps' ? 'Package changes' : 'Factors';
  const details = factorsDetails(stage).map((line) => html`<p>${line}</p>`);
  return section(
    id,
    title,
    html`<p>${factorsHeadline(stage)}</p><div class="scroll" role="region" aria-label="${title} needed" tabindex="0"><table><thead><tr><th scope="col">${stage.space === 'deps' ? 'package' : 'factor'}</th><th scope="col">good</th><th scope="col">bad</th></tr></thead><tbody>${joinHtml(rows)}</tbody></table></div>${stage.alongside.length > 0 ? html`<p>Came along: ${stage.alongside.map(factorText).join(', ')}</p>` : null}${joinHtml(details)}<p>${factorsCounts(stage)}.</p>`,
  );
}

/** The section of one stage; null for a stage with nothing to show apart from the verdict up top. */
export function stageSection(stage: StageResult, context: StageContext, id: string): Html | null {
  switch (stage.stage) {
    case 'versions': {
      const segment = context.searches.get('versions');
      return section(id, 'Released versions', html`<p>${versionsSentence(stage)}</p>${rangeFigure(`${id}-range`, stage.candidatesAtStart, segment)}`);
    }
    case 'source':
      return section(id, 'Hand-off to the source', html`<p>${sourceSentence(stage)}</p>`);
    case 'endpoints':
      return section(id, 'Endpoints', html`<p>${stage.checked ? `The good revision${stage.goods.length === 1 ? '' : 's'} ${stage.goods.map(short).join(', ')} passed and the bad revision ${short(stage.bad)} failed, as given${stage.overlapped ? ' (tested alongside the first cuts)' : ''}.` : 'Not checked (--no-verify): the good and bad revisions were taken as given.'}</p>`);
    case 'merge-bases':
      return mergeBasesSection(stage, id);
    case 'bisection':
      return bisectionSection(stage, context, id);
    case 'merge-descent':
      return descentSection(stage, context, id);
    case 'narrowing':
      return narrowingSection(stage, id);
    case 'factors':
      return factorsSection(stage, id);
  }
}

/** A hunt still running (or stopped) has no stage results yet: its searches so far, from the probes' progress. */
export function searchSoFarSection(start: number | null, segments: readonly RangeSegment[]): Html | null {
  // The hunt's own count of candidates is its first search's; a later one starts from its own first verdict.
  const figures = segments.map((segment, index) => rangeFigure(`range-so-far-${index}`, index === 0 && start !== null ? start : Math.max(...segment.points.map((point) => point.candidatesLeft)), segment));
  if (figures.every((item) => item === null)) return null;
  return section('search', 'The search so far', joinHtml(figures.filter((item): item is Html => item !== null)));
}

export function narrowedDiff(stage: NarrowingResult): Html {
  return diffView(stage.diff, 'minimal', 'The minimal change');
}
