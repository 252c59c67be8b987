// The report's own stylesheet: light and dark from prefers-color-scheme, verdicts told by words and shapes as well
// as colour, wide tables and diffs scrolling inside their own box (never the page), and a print layout.
export const REPORT_STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --good: #1a7f37; --bad: #cf222e; --hang: #8250df; --skip: #9a6700; --accent: #0969da; --bar: #8c959f; --kept: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #161b22;
    --good: #3fb950; --bad: #f85149; --hang: #bc8cff; --skip: #d29922; --accent: #4493f8; --bar: #656c76; --kept: #4493f8; }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0 auto; max-width: 1200px; padding: 1rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1, .facts dd, .hash, pre.command { overflow-wrap: anywhere; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; }
a { color: var(--accent); }
header.report { border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
header.report p { margin: 0.25rem 0; color: var(--muted); }
nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; list-style: none; padding: 0; margin: 0.5rem 0; }
h1 { font-size: 1.5rem; line-height: 1.3; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid var(--line); padding-bottom: 0.25rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; }
@media (max-width: 600px) { .facts { grid-template-columns: 1fr; } .facts dd { margin-bottom: 0.5rem; } }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll:focus-visible { outline: 2px solid var(--accent); }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { white-space: nowrap; }
thead th { background: var(--panel); }
table.probes td.candidate { min-width: 14rem; }
table.probes .subject { color: var(--muted); }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
/* A phone gets each probe as a card of labelled lines instead of a table eight columns wide. */
@media (max-width: 700px) {
  table.probes thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.probes tr { display: block; border-bottom: 1px solid var(--line); padding: 0.4rem 0; }
  table.probes td { display: block; border: 0; padding: 0.05rem 0; text-align: left; min-width: 0; }
  table.probes td.candidate { min-width: 0; overflow-wrap: anywhere; }
  table.probes td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
  table.probes td:empty { display: none; }
}
.verdict, .check, .status { font-weight: 600; white-space: nowrap; }
.verdict.good, .verdict.pass, .check.ok, .status.found { color: var(--good); }
.verdict.bad, .verdict.fail, .check.no { color: var(--bad); }
.verdict.hang { color: var(--hang); }
.verdict.skip, .verdict.unresolved, .check.na, .status.ambiguous, .status.interrupted, .status.aborted { color: var(--skip); }
.muted { color: var(--muted); }
pre.log, pre.command { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 0.5rem; overflow-x: auto; white-space: pre; max-height: 24rem; }
pre.command { white-space: pre-wrap; }
details > summary { cursor: pointer; color: var(--accent); }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: 0.9em; }
svg.chart { width: 100%; max-width: 760px; min-width: 520px; height: auto; display: block; font: 12px system-ui, sans-serif; }
/* On a phone a chart keeps legible labels and scrolls sideways in its own box. */
figure { overflow-x: auto; }
svg.chart text { fill: var(--fg); }
svg.chart .tick, svg.chart .axis { fill: var(--muted); }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .line { fill: none; stroke: var(--fg); stroke-width: 1.5; }
svg.chart .threshold { stroke: var(--accent); stroke-dasharray: 4 3; stroke-width: 1.5; }
svg.chart .bar { fill: var(--bar); }
svg.chart .bar.kept { fill: var(--kept); }
svg.chart .iqr { fill: none; stroke: var(--muted); }
svg.chart .median { stroke: var(--fg); stroke-width: 2; }
svg.chart .mark { fill: var(--muted); stroke: var(--bg); stroke-width: 1; }
svg.chart .mark.good { fill: var(--good); }
svg.chart .mark.bad { fill: var(--bad); }
svg.chart .mark.hang { fill: var(--hang); }
svg.chart .mark.skip { fill: var(--skip); }
svg.chart .mark.leader { fill: var(--accent); }
fieldset.diff-switch { border: 0; padding: 0; margin: 0.5rem 0; display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; }
fieldset.diff-switch legend { float: left; margin-right: 0.5rem; color: var(--muted); }
.diff-view:has(input[value="inline"]:checked) .diff-split { display: none; }
.diff-view:has(input[value="side-by-side"]:checked) .diff-inline { display: none; }
.d2h-file-collapse { display: none; }
.d2h-wrapper { min-width: 36rem; }
.d2h-code-line-prefix { user-select: none; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip-link { position: absolute; left: -999px; }
.skip-link:focus { left: 1rem; top: 1rem; background: var(--bg); padding: 0.5rem; z-index: 1; }
footer { margin-top: 2rem; color: var(--muted); font-size: 0.9em; border-top: 1px solid var(--line); padding-top: 0.5rem; }
.live { color: var(--accent); }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #333333; --panel: #ffffff; }
  nav, .skip-link, fieldset.diff-switch, .live { display: none; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  .scroll { overflow: visible; }
  .d2h-wrapper, svg.chart { min-width: 0; }
  pre.log { max-height: none; white-space: pre-wrap; }
  section, figure, tr { break-inside: avoid-page; }
  #timeline { break-before: page; }
}
`;
