// A unified diff rendered with diff2html, inline and side by side; the reader switches between them with two radio
// buttons (no script needed), and diff2html's stylesheet is inlined once per report.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { html as diffToHtml } from 'diff2html';
import type { ColorSchemeType } from 'diff2html/lib/types.js';
import { html, trusted, type Html } from './html-text.js';

let stylesheet: string | undefined;

/** diff2html's own stylesheet (no url() in it: it loads nothing). */
export function diffStylesheet(): string {
  stylesheet ??= readFileSync(createRequire(import.meta.url).resolve('diff2html/bundles/css/diff2html.min.css'), 'utf8');
  return stylesheet;
}

function rendered(diff: string, format: 'line-by-line' | 'side-by-side', view: string): string {
  const markup = diffToHtml(diff, { outputFormat: format, drawFileList: false, matching: 'lines', colorScheme: 'auto' as ColorSchemeType, renderNothingWhenEmpty: false });
  // Both views show the same files: their element ids must differ, and "viewed" boxes need diff2html's UI script.
  return markup.replace(/\bid="d2h-/g, `id="d2h-${view}-`).replace(/<label class="d2h-file-collapse">[\s\S]*?<\/label>/g, '');
}

/** The diff in both layouts with a switch between them; `name` keeps several diffs' switches apart. */
export function diffView(diff: string, name: string, label: string): Html {
  return html`<div class="diff-view">
<fieldset class="diff-switch"><legend>${label}: layout</legend>
<input type="radio" name="${name}" id="${name}-split" value="side-by-side" checked><label for="${name}-split">side by side</label>
<input type="radio" name="${name}" id="${name}-inline" value="inline"><label for="${name}-inline">inline</label>
</fieldset>
<div class="diff-split scroll" role="region" aria-label="${label}, side by side" tabindex="0">${trusted(rendered(diff, 'side-by-side', `${name}-split`))}</div>
<div class="diff-inline scroll" role="region" aria-label="${label}, inline" tabindex="0">${trusted(rendered(diff, 'line-by-line', `${name}-inline`))}</div>
</div>`;
}
