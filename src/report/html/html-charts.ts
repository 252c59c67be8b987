// The report's pictures as inline SVG, pure functions of plain numbers: the candidate range shrinking probe by probe,
// changes kept per narrowing level, a flaky search's posteriors, and a metric's samples per revision.
import { html, joinHtml, numberText, type Html } from './html-text.js';

/** One probe of a search: what it said and how many candidates were left after it. */
export interface RangePoint {
  step: number;
  label: string;
  verdict: string;
  candidatesLeft: number;
}

const WIDTH = 640;

/** `id` is unique within the report: the figure's title and description are referenced by aria-labelledby. */
function svg(id: string, height: number, title: string, description: string, body: Html): Html {
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" preserveAspectRatio="xMinYMin meet"><title id="${id}-title">${title}</title><desc id="${id}-desc">${description}</desc>${body}</svg>`;
}

/** A verdict's marker: a shape of its own, so the chart reads without colour. */
function marker(verdict: string, x: number, y: number): Html {
  const cls = `mark ${verdict}`;
  if (verdict === 'good') return html`<circle class="${cls}" cx="${x}" cy="${y}" r="5"/>`;
  if (verdict === 'bad') return html`<rect class="${cls}" x="${x - 5}" y="${y - 5}" width="10" height="10"/>`;
  if (verdict === 'hang') return html`<path class="${cls}" d="M${x} ${y - 6}L${x + 6} ${y}L${x} ${y + 6}L${x - 6} ${y}Z"/>`;
  return html`<path class="${cls}" d="M${x} ${y - 6}L${x + 6} ${y + 5}L${x - 6} ${y + 5}Z"/>`;
}

/** The candidate range after each probe, from `start` down to what the search ended with: a step line. */
export function rangeChart(id: string, start: number, points: readonly RangePoint[]): Html {
  const height = 220;
  const [left, right, top, bottom] = [56, 16, 16, 40];
  const logScale = start >= 32;
  const scale = (value: number): number => (logScale ? Math.log2(Math.max(1, value)) / Math.log2(start) : (value - 1) / Math.max(1, start - 1));
  const y = (value: number): number => Math.round(top + (height - top - bottom) * (1 - scale(value)));
  const x = (index: number): number => Math.round(left + ((WIDTH - left - right) * index) / Math.max(1, points.length));
  let path = `M${x(0)} ${y(start)}`;
  points.forEach((point, index) => {
    path += `H${x(index + 1)}V${y(point.candidatesLeft)}`;
  });
  const ticks = logScale ? [start, ...[1024, 256, 64, 16, 4].filter((tick) => tick < start / 2), 1] : [start, Math.ceil((start + 1) / 2), 1];
  const axis = joinHtml(
    [...new Set(ticks)].map((tick) => html`<line class="grid" x1="${left}" x2="${WIDTH - right}" y1="${y(tick)}" y2="${y(tick)}"/><text class="tick" x="${left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`),
  );
  const marks = joinHtml(points.map((point, index) => html`<g>${marker(point.verdict, x(index + 1), y(point.candidatesLeft))}<title>probe ${point.step}: ${point.label} is ${point.verdict}; ${point.candidatesLeft} left</title></g>`));
  const trail = [start, ...points.map((point) => point.candidatesLeft)].join(' → ');
  const body = html`${axis}<path class="line" d="${path}"/>${marks}<text class="axis" x="${(left + WIDTH - right) / 2}" y="${height - 8}" text-anchor="middle">probes, in the order their verdicts came in</text><text class="axis" transform="translate(14 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">candidates left${logScale ? ' (log)' : ''}</text>`;
  return svg(id, height, 'The candidate range shrinking probe by probe', `Candidates left after each probe: ${trail}.`, body);
}

export interface LevelBar {
  level: string;
  units: number;
  kept?: number;
  tests: number;
}

/** Per narrowing level, the units searched and the ones kept for the next level: a funnel of bars. */
export function levelsChart(id: string, levels: readonly LevelBar[]): Html {
  const row = 40;
  const height = 12 + row * levels.length;
  const [left, right] = [72, 190];
  const most = Math.max(1, ...levels.map((level) => level.units));
  // A square-root scale: a 400-line change and its one kept token both stay visible.
  const width = (value: number): number => Math.max(2, Math.round((WIDTH - left - right) * Math.sqrt(value / most)));
  const bars = levels.map((level, index) => {
    const top = 8 + index * row;
    const kept = level.kept === undefined ? null : html`<rect class="bar kept" x="${left}" y="${top + 6}" width="${width(level.kept)}" height="${row - 24}"/>`;
    const words = `${level.units} searched${level.kept === undefined ? '' : `, ${level.kept} kept`}, ${level.tests} test${level.tests === 1 ? '' : 's'}`;
    return html`<g><text class="tick" x="${left - 8}" y="${top + row / 2 - 2}" text-anchor="end">${level.level}</text><rect class="bar" x="${left}" y="${top}" width="${width(level.units)}" height="${row - 12}"/>${kept}<text class="label" x="${left + width(level.units) + 8}" y="${top + row / 2 - 2}">${words}</text></g>`;
  });
  const description = levels.map((level) => `${level.level}: ${level.units} searched${level.kept === undefined ? '' : `, ${level.kept} kept`}`).join('; ');
  return svg(id, height, 'Changes searched and kept at each level', `${description}.`, joinHtml(bars));
}

export interface ProbabilityBar {
  label: string;
  probability: number;
}

/** A flaky search's posterior over its likeliest candidates, with the confidence it had to reach marked. */
export function posteriorChart(id: string, bars: readonly ProbabilityBar[], confidence: number): Html {
  const row = 24;
  const height = 30 + row * bars.length;
  const [left, right] = [120, 56];
  const x = (p: number): number => Math.round(left + (WIDTH - left - right) * p);
  const rows = bars.map((bar, index) => {
    const top = 6 + index * row;
    return html`<g><text class="tick mono" x="${left - 8}" y="${top + 15}" text-anchor="end">${bar.label}</text><rect class="bar" x="${left}" y="${top + 3}" width="${Math.max(1, x(bar.probability) - left)}" height="${row - 8}"/><text class="label" x="${x(bar.probability) + 6}" y="${top + 15}">${bar.probability.toFixed(3)}</text></g>`;
  });
  const threshold = html`<line class="threshold" x1="${x(confidence)}" x2="${x(confidence)}" y1="2" y2="${height - 22}"/><text class="tick" x="${x(confidence)}" y="${height - 8}" text-anchor="middle">${confidence} asked for</text>`;
  const description = bars.map((bar) => `${bar.label} ${bar.probability.toFixed(3)}`).join(', ');
  return svg(id, height, 'How likely each candidate is the first bad commit', `Posterior probabilities: ${description}; the search needed ${confidence}.`, html`${joinHtml(rows)}${threshold}`);
}

/** The likeliest commit's posterior after each probe of a flaky search, rising towards the confidence asked for. */
export function leaderChart(id: string, points: ReadonlyArray<{ step: number; label: string; probability: number }>, confidence: number): Html {
  const height = 200;
  const [left, right, top, bottom] = [56, 16, 12, 40];
  const x = (index: number): number => Math.round(left + ((WIDTH - left - right) * index) / Math.max(1, points.length - 1));
  const y = (p: number): number => Math.round(top + (height - top - bottom) * (1 - p));
  const path = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${x(index)} ${y(point.probability)}`).join('');
  const grid = joinHtml([0, 0.5, 1].map((p) => html`<line class="grid" x1="${left}" x2="${WIDTH - right}" y1="${y(p)}" y2="${y(p)}"/><text class="tick" x="${left - 6}" y="${y(p) + 4}" text-anchor="end">${p}</text>`));
  const threshold = html`<line class="threshold" x1="${left}" x2="${WIDTH - right}" y1="${y(confidence)}" y2="${y(confidence)}"/>`;
  const dots = joinHtml(points.map((point, index) => html`<circle class="mark leader" cx="${x(index)}" cy="${y(point.probability)}" r="3"><title>after probe ${point.step}: ${point.label} at ${point.probability.toFixed(3)}</title></circle>`));
  const last = points.at(-1);
  const body = html`${grid}${threshold}<path class="line" d="${path}"/>${dots}<text class="axis" x="${(left + WIDTH - right) / 2}" y="${height - 8}" text-anchor="middle">test runs of the search</text>`;
  return svg(id, height, 'The likeliest commit’s posterior after each run', `After ${points.length} runs the likeliest commit${last ? ` (${last.label}) is at ${last.probability.toFixed(3)}` : ''}; the search needed ${confidence}.`, body);
}

/** One revision's samples of a metric. */
export interface SampleRow {
  label: string;
  /** `good` and `bad` for the endpoints; a sampled commit's verdict otherwise. */
  role: string;
  values: readonly number[];
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (sorted[low] ?? 0) + ((sorted[high] ?? 0) - (sorted[low] ?? 0)) * (at - low);
}

/** A strip plot: every sample of each revision as a dot, with its median and interquartile range. */
export function samplesChart(id: string, rows: readonly SampleRow[], unit: string): Html {
  const row = 36;
  const height = 44 + row * rows.length;
  const [left, right] = [150, 20];
  const all = rows.flatMap((each) => each.values);
  const low = Math.min(...all);
  const high = Math.max(...all);
  const span = high - low || Math.abs(high) || 1;
  const x = (value: number): number => Math.round(left + ((WIDTH - left - right) * (value - low + span * 0.05)) / (span * 1.1));
  const strips = rows.map((each, index) => {
    const middle = 14 + index * row + row / 2;
    const sorted = [...each.values].sort((a, b) => a - b);
    // The same jitter every time: a report rendered twice is the same file.
    const dots = joinHtml(each.values.map((value, at) => html`<circle class="mark ${each.role}" cx="${x(value)}" cy="${middle + (((at * 7) % 11) - 5)}" r="2.5"/>`));
    const [q1, median, q3] = [quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75)];
    const box = sorted.length === 0 ? null : html`<rect class="iqr" x="${x(q1)}" y="${middle - 10}" width="${Math.max(1, x(q3) - x(q1))}" height="20"/><line class="median" x1="${x(median)}" x2="${x(median)}" y1="${middle - 13}" y2="${middle + 13}"/>`;
    return html`<g><text class="tick" x="${left - 8}" y="${middle + 4}" text-anchor="end">${each.label}</text>${box}${dots}<title>${each.label}: n ${sorted.length}, median ${numberText(median)}</title></g>`;
  });
  const axis = html`<text class="tick" x="${x(low)}" y="${height - 14}" text-anchor="middle">${numberText(low)}</text><text class="tick" x="${x(high)}" y="${height - 14}" text-anchor="middle">${numberText(high)}</text><text class="axis" x="${(left + WIDTH - right) / 2}" y="${height - 2}" text-anchor="middle">${unit}</text>`;
  const description = rows.map((each) => {
    const sorted = [...each.values].sort((a, b) => a - b);
    return `${each.label}: n ${sorted.length}, median ${numberText(quantile(sorted, 0.5))}`;
  });
  return svg(id, height, 'The metric’s samples at each revision', `${description.join('; ')}.`, html`${joinHtml(strips)}${axis}`);
}
