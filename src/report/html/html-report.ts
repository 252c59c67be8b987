// `culprit report ID --format html`: one self-contained page (styles and scripts inlined, a Content-Security-Policy
// that forbids any request) with the verdict, each stage's section, the probe timeline and the recipe.
import { createHash } from 'node:crypto';
import type { StageName, StageResult } from '../../model/stage-results.js';
import type { HuntRow, ProbeRow } from '../../store/store-types.js';
import { CULPRIT_VERSION } from '../../tool-version.js';
import { statusOf } from '../hunt-facts.js';
import { diffStylesheet } from './html-diff.js';
import { recipeSection } from './html-recipe.js';
import { LIVE_SCRIPT, REPORT_SCRIPT } from './html-script.js';
import { rangeSegments, searchSoFarSection, stageSection, type StageContext } from './html-stages.js';
import { REPORT_STYLE } from './html-style.js';
import { html, joinHtml, trusted, type Html } from './html-text.js';
import { timelineSection } from './html-timeline.js';
import { headline, verdictSection } from './html-verdict.js';

export interface HtmlReportOptions {
  /** Served by `culprit serve`: the page follows the hunt's events and refreshes itself. */
  live?: boolean;
  /** When the page was made (ISO 8601); absent: not said, so two renders of one hunt are the same file. */
  generatedAt?: string;
}

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const STAGE_TITLES: Record<StageName, string> = { versions: 'Versions', source: 'Source', endpoints: 'Endpoints', 'merge-bases': 'Merge bases', bisection: 'Bisection', 'merge-descent': 'Inside the merge', narrowing: 'Narrowing', factors: 'Factors' };

/** Each stage's section id: its name, numbered from the second time a stage ran (a versions hunt checks two pairs of endpoints). */
function sectionIds(stages: readonly StageResult[]): string[] {
  const seen = new Map<string, number>();
  return stages.map((stage) => {
    const count = (seen.get(stage.stage) ?? 0) + 1;
    seen.set(stage.stage, count);
    return count === 1 ? stage.stage : `${stage.stage}-${count}`;
  });
}

/** The main part of the page: what a live report swaps in place as the hunt goes on. */
function mainPart(hunt: HuntRow, probes: readonly ProbeRow[]): Html {
  const segments = rangeSegments(probes);
  const context: StageContext = { args: hunt.arguments, probes, searches: new Map(segments.map((segment) => [segment.search, segment])) };
  const stages = hunt.result?.stages ?? [];
  const ids = sectionIds(stages);
  const sections = stages.map((stage, index) => stageSection(stage, context, ids[index] ?? stage.stage)).filter((section): section is Html => section !== null);
  const sofar = hunt.result ? null : searchSoFarSection(hunt.candidates, segments);
  return html`<main id="main">${verdictSection(hunt, probes)}${sofar}${joinHtml(sections)}${timelineSection(probes, hunt.arguments.metric?.pattern)}${recipeSection(hunt)}</main>`;
}

function navigation(hunt: HuntRow): Html {
  const links: Array<[string, string]> = [['verdict', 'Verdict']];
  const stages = hunt.result?.stages ?? [];
  const ids = sectionIds(stages);
  stages.forEach((stage, index) => {
    const id = ids[index] ?? stage.stage;
    // The second endpoints of a versions hunt are the source's.
    links.push([id, id === stage.stage ? STAGE_TITLES[stage.stage] : `${STAGE_TITLES[stage.stage]} (${id.slice(stage.stage.length + 1)})`]);
  });
  if (!hunt.result) links.push(['search', 'Search so far']);
  links.push(['timeline', 'Timeline'], ['recipe', 'Reproduce']);
  return html`<nav aria-label="Sections"><ul>${joinHtml(links.map(([id, title]) => html`<li><a href="#${id}">${title}</a></li>`))}</ul></nav>`;
}

export function htmlReport(hunt: HuntRow, probes: readonly ProbeRow[], options: HtmlReportOptions = {}): string {
  const style = `${diffStylesheet()}\n${REPORT_STYLE}`;
  const scripts = options.live ? [REPORT_SCRIPT, LIVE_SCRIPT] : [REPORT_SCRIPT];
  // Nothing may load from anywhere: no fonts, images, frames or requests; only this page's own style and scripts.
  const policy = [`default-src 'none'`, `style-src ${hash(style)}`, `script-src ${scripts.map(hash).join(' ')}`, `img-src data:`, ...(options.live ? [`connect-src 'self'`] : []), `base-uri 'none'`, `form-action 'none'`].join('; ');
  const live = options.live ? html` <span class="live" id="live-status" role="status">live: refreshing as verdicts arrive</span>` : null;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="culprit ${CULPRIT_VERSION}">
<title>${headline(hunt)} · culprit hunt ${hunt.id}</title>
<style>${trusted(style)}</style>
</head>
<body>
<a class="skip-link" href="#main">Skip to the verdict</a>
<header class="report"><p>culprit · hunt ${hunt.id} · <span id="hunt-status">${statusOf(hunt)}</span> · <code>${hunt.repo}</code>${live}</p>${navigation(hunt)}</header>
${mainPart(hunt, probes)}
<footer><p>Made by culprit ${CULPRIT_VERSION}${options.generatedAt ? ` on ${options.generatedAt}` : ''} from hunt ${hunt.id} of the hunt store. This page loads nothing from the network.</p></footer>
${joinHtml(scripts.map((script) => html`<script>${trusted(script)}</script>`))}
</body>
</html>
`;
  return page.text;
}
