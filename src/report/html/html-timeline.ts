// The hunt's timeline: every probe in the order it ran, what it tested, its verdict in words (and a shape, never
// colour alone), how long it took, whether the verdict was reused, and its log's tail behind a disclosure.
import { compileMetric, metricOf } from '../../hunt/metric-sampler.js';
import type { Outcome } from '../../model/probe-record.js';
import type { ProbeRow } from '../../store/store-types.js';
import { short } from '../../text/format.js';
import { html, joinHtml, type Html } from './html-text.js';

/** What a run did, in words. */
export function outcomeText(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'passed':
      return 'passed';
    case 'failed':
      return `failed (exit ${outcome.exitCode})`;
    case 'untestable':
      return 'untestable (exit 125)';
    case 'hung':
      return 'hung (timed out)';
    case 'crashed':
      return `crashed (${outcome.signal ?? `exit ${outcome.exitCode ?? '?'}`})`;
    case 'build-failed':
      return outcome.timedOut ? 'build timed out' : `build failed (${outcome.signal ?? `exit ${outcome.exitCode ?? '?'}`})`;
    case 'not-found':
      return `command not found (exit ${outcome.exitCode})`;
    case 'check-failed':
      return outcome.timedOut ? 'check timed out' : 'check failed';
  }
}

const SYMBOLS: Record<string, string> = { good: '✓', bad: '✗', skip: '–', hang: '◆', sample: '•', abort: '■', pass: '✓', fail: '✗', unresolved: '?', 'in flight': '…' };

export function verdictCell(verdict: string): Html {
  return html`<span class="verdict ${verdict.replace(/\s/g, '-')}"><span aria-hidden="true">${SYMBOLS[verdict] ?? ''}</span> ${verdict}</span>`;
}

function sourceText(probe: ProbeRow): string {
  if (probe.source === 'cached') return `cached (hunt ${probe.cachedFrom ?? '?'})`;
  return probe.build === 'restored' ? 'run, build restored' : 'run';
}

function candidateCell(probe: ProbeRow): Html {
  const commit = html`<code title="${probe.commit}">${short(probe.commit)}</code>`;
  if (probe.configuration !== null) return html`${commit} + configuration <code title="${probe.configuration}">${probe.configuration.slice(0, 8)}</code>${probe.progress?.narrowing ? html` <span class="subject">${probe.progress.narrowing.what}</span>` : null}`;
  return html`${commit} <span class="subject">${probe.subject}</span>`;
}

/** The last lines of a run's output: enough to see why it failed, without a megabyte of log per probe. */
const TAIL_LINES = 40;

function logCell(probe: ProbeRow): Html {
  if (probe.endedAt === null) return html`<span class="muted">running</span>`;
  const lines = probe.outputTail.replace(/\s+$/, '').split('\n');
  const tail = lines.slice(-TAIL_LINES).join('\n');
  const cut = lines.length > TAIL_LINES ? `last ${TAIL_LINES} of ${lines.length} lines kept; ` : '';
  const path = probe.logPath ? html`<p class="muted">${cut}full log: <code>${probe.logPath}</code></p>` : null;
  if (tail === '') return html`<span class="muted">no output</span>${path ? html`<details><summary>log</summary>${path}</details>` : null}`;
  return html`<details><summary>log tail</summary><pre class="log">${tail}</pre>${path}</details>`;
}

/** The verdict a row shows: the one the search took (a metric's samples decide together), else the run's own. */
function shownVerdict(probe: ProbeRow, metric: RegExp | undefined): string {
  if (probe.endedAt === null) return 'in flight';
  // A narrowing probe is judged against the failure signature: `fail`, `pass` or `unresolved`, as its progress said.
  if (probe.progress?.narrowing) return probe.progress.narrowing.outcome;
  if (probe.searchVerdict === 'abort') return 'abort';
  if (probe.progress?.verdict) return probe.progress.verdict;
  // A performance hunt's single run says nothing by its exit code: it is one sample of the metric.
  return metric && probe.verdict === 'good' ? 'sample' : probe.verdict;
}

function outcomeCell(probe: ProbeRow, metric: RegExp | undefined): string {
  if (probe.endedAt === null) return '';
  const value = metric ? metricOf(probe, metric) : undefined;
  return value === undefined ? outcomeText(probe.outcome) : `${outcomeText(probe.outcome)}, metric ${value}`;
}

/** `metric`: a performance hunt's pattern, so each run shows the number it printed. */
export function timelineSection(probes: readonly ProbeRow[], metricPattern?: string): Html {
  const metric = metricPattern === undefined ? undefined : compileMetric(metricPattern);
  const finished = probes.filter((probe) => probe.endedAt !== null);
  const cached = finished.filter((probe) => probe.source === 'cached').length;
  const seconds = finished.filter((probe) => probe.source === 'run').reduce((sum, probe) => sum + probe.seconds, 0);
  const rows = probes.map(
    (probe) => html`<tr id="probe-${probe.step}" class="${probe.phase}">
<td class="num" data-label="step">${probe.step}</td><td data-label="phase">${probe.phase}</td><td class="candidate" data-label="candidate">${candidateCell(probe)}</td>
<td data-label="verdict">${verdictCell(shownVerdict(probe, metric))}</td><td data-label="outcome">${outcomeCell(probe, metric)}</td>
<td class="num" data-label="time">${probe.endedAt === null ? '' : `${probe.seconds.toFixed(2)} s`}</td><td data-label="source">${sourceText(probe)}</td><td>${logCell(probe)}</td></tr>`,
  );
  return html`<section id="timeline" aria-labelledby="timeline-title">
<h2 id="timeline-title">Timeline</h2>
<p><span id="probe-count">${finished.length}</span> probe${finished.length === 1 ? '' : 's'} (${cached} from the verdict cache), ${seconds.toFixed(1)} s of testing${probes.length > finished.length ? `; ${probes.length - finished.length} in flight` : ''}.</p>
<div class="scroll" role="region" aria-label="Probes in order" tabindex="0">
<table class="probes"><caption class="visually-hidden">Every probe in the order it ran</caption>
<thead><tr><th scope="col">step</th><th scope="col">phase</th><th scope="col">candidate</th><th scope="col">verdict</th><th scope="col">outcome</th><th scope="col">time</th><th scope="col">source</th><th scope="col">log</th></tr></thead>
<tbody>${joinHtml(rows)}</tbody></table></div>
</section>`;
}
