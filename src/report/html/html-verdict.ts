// The top of the report: the answer (first bad commit or version, the factors, or why there is none yet), the
// minimal change rendered, and the three checks that say whether to believe it.
import { answersWithVersion, factorsOf, narrowingOf, stageResult, type VerificationCheck } from '../../model/stage-results.js';
import type { HuntRow, ProbeRow } from '../../store/store-types.js';
import { short } from '../../text/format.js';
import { factorText } from '../factors-text.js';
import { rangeText, statusOf, testText } from '../hunt-facts.js';
import { narrowingHeadline } from '../narrowing-text.js';
import { narrowedDiff } from './html-stages.js';
import { html, joinHtml, type Html } from './html-text.js';

/** The one-line title of a report: the browser tab's and the page's. */
export function headline(hunt: HuntRow): string {
  const result = hunt.result;
  const factors = result ? factorsOf(result.stages) : undefined;
  if (factors) return `The failure needs ${factors.needed.map(factorText).join(', ')}`;
  if (result?.firstBad?.since) return `The change from ${short(result.firstBad.since)} to ${short(result.firstBad.commit)} (several commits, narrowed as one)`;
  if (result?.firstBad) return answersWithVersion(hunt.vcs, result.stages) ? `First bad version: ${result.firstBad.commit}` : `First bad commit ${short(result.firstBad.commit)}: ${result.firstBad.subject}`;
  if (result) return `No single culprit: one of ${result.candidates.length} ${answersWithVersion(hunt.vcs, result.stages) ? 'versions' : 'commits'}`;
  const status = statusOf(hunt);
  return status === 'running' ? `Hunt ${hunt.id} is running` : `Hunt ${hunt.id} is ${status}`;
}

function checkRow(check: VerificationCheck | null, what: string, meaning: string): Html {
  if (!check) return html`<tr><th scope="row">${what}</th><td><span class="check na">not checked</span></td><td>the bad revision is the narrowed commit</td></tr>`;
  if (check.outcome === 'not-applicable') return html`<tr><th scope="row">${what}</th><td><span class="check na">not checked</span></td><td>${check.reason ?? 'the change does not apply there'}</td></tr>`;
  const got = check.outcome === 'fail' ? 'fails' : check.outcome === 'pass' ? 'passes' : 'fails differently';
  return html`<tr><th scope="row">${what}</th><td><span class="check ${check.ok ? 'ok' : 'no'}"><span aria-hidden="true">${check.ok ? '✓' : '✗'}</span> ${check.ok ? 'ok' : 'NO'}</span>: ${got}${check.step === undefined ? null : html` (<a href="#probe-${check.step}">probe ${check.step}</a>)`}</td><td>${check.ok ? meaning : `expected it to ${check.expected}`}</td></tr>`;
}

function facts(rows: ReadonlyArray<[string, Html | string | null]>): Html {
  return html`<dl class="facts">${joinHtml(rows.filter(([, value]) => value !== null && value !== '').map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>`))}</dl>`;
}

export function verdictSection(hunt: HuntRow, probes: readonly ProbeRow[]): Html {
  const result = hunt.result;
  const stages = result?.stages ?? [];
  const first = result?.firstBad ?? null;
  const version = answersWithVersion(hunt.vcs, stages);
  const status = statusOf(hunt);
  const finished = probes.filter((probe) => probe.endedAt !== null);
  const cached = finished.filter((probe) => probe.source === 'cached').length;
  const rows: Array<[string, Html | string | null]> = [
    ['Status', html`<span class="status ${status}">${status}</span>`],
    ['Searched', hunt.vcs === 'factors' ? `${hunt.candidates ?? '?'} ${hunt.arguments.factors?.kind === 'deps' ? 'package changes' : 'factors'}` : html`${rangeText(hunt)}${hunt.candidates === null ? '' : `, ${hunt.candidates} candidate ${hunt.vcs === 'versions' ? 'versions' : 'commits'}`}`],
    ['Test', html`<code>${testText(hunt)}</code>`],
  ];
  if (first && !version) {
    rows.push(['Commit', html`<code class="hash">${first.commit}</code>`], ['Subject', first.subject], ['Author', first.author || null], ['Date', first.date || null]);
    if (first.files.length > 0) rows.push(['Changed files', html`${joinHtml(first.files.slice(0, 30).map((file) => html`<code>${file}</code>`), ', ')}${first.files.length > 30 ? ` and ${first.files.length - 30} more` : ''}`]);
  } else if (first) {
    const versions = stageResult(stages, 'versions');
    rows.push(['First bad version', html`<code>${first.commit}</code>`], ['Last good version', versions?.lastGood ? html`<code>${versions.lastGood}</code>` : null]);
  } else if (result && result.candidates.length > 0) {
    rows.push(['Candidates', html`${joinHtml(result.candidates.map((candidate) => html`<code>${short(candidate)}</code>`), ', ')} (skipped ${version ? 'versions' : 'commits'} hide which)`]);
  }
  if (hunt.error) rows.push(['Stopped', hunt.error]);
  if (!result && status !== 'running') rows.push(['Continue', html`<code>culprit resume ${hunt.id}</code>`]);
  rows.push(['Probes', html`<span id="verdict-probes">${finished.length}</span> (${cached} from the verdict cache)`]);
  const narrowing = narrowingOf(stages);
  const narrowed = stageResult(stages, 'narrowing');
  let change: Html | null = null;
  if (narrowing && narrowed && narrowing.status === 'narrowed' && narrowing.diff) {
    const checks = narrowing.verification;
    const of = first && narrowing.commit !== first.commit ? html` (of <code>${short(narrowing.commit)}</code>)` : null;
    change = html`<h2 id="change-title">${narrowingHeadline(narrowing)}${of}</h2>
<p>${narrowing.changes.length} changed line(s) or token(s) at the ${narrowing.changes[0]?.level ?? narrowing.level} level; the failure is “${narrowing.signature}”.</p>
${narrowedDiff(narrowed)}
${checks ? html`<h3>Verification</h3><div class="scroll" role="region" aria-label="Verification" tabindex="0"><table class="verification"><thead><tr><th scope="col">check</th><th scope="col">result</th><th scope="col">meaning</th></tr></thead><tbody>
${checkRow(checks.parentPlusChange, 'parent + this change fails', 'the change alone reproduces the failure')}
${checkRow(checks.commitMinusChange, 'first bad commit − this change passes', 'the rest of the commit is innocent')}
${checkRow(checks.badMinusChange, 'bad revision − this change passes', 'reverting it on the bad revision fixes the failure')}
</tbody></table></div>` : null}`;
  }
  return html`<section id="verdict" aria-labelledby="verdict-title"><h1 id="verdict-title">${headline(hunt)}</h1>${facts(rows)}${change}</section>`;
}
