// How to see the failure again: the reproduce command, and the exact recipe the hunt ran with (build, test,
// timeout, what a hang or a failed build meant, search options) and the versions of the tools that ran it.
import type { HuntRow } from '../../store/store-types.js';
import { describeCommand } from '../../text/format.js';
import { html, joinHtml, type Html } from './html-text.js';

function rows(hunt: HuntRow): Array<[string, string]> {
  const args = hunt.arguments;
  const recipe = args.recipe;
  const derived = args.verify ? 'derived from the good revision’s run time' : 'none measured (--no-verify): the default for an unmeasured test';
  const timeout = recipe.timeoutSeconds !== undefined ? `${recipe.timeoutSeconds} s (--timeout)` : hunt.result?.timeoutSeconds !== undefined ? `${hunt.result.timeoutSeconds} s (${derived})` : derived;
  const out: Array<[string, string | undefined]> = [
    ['Repository', `${hunt.repo} (${hunt.vcs})`],
    ['Directory', args.subdirectory || undefined],
    ['Build', recipe.build ? describeCommand(recipe.build) : 'none'],
    ['Test', describeCommand(recipe.test)],
    ['Timeout', timeout],
    ['Build timeout', recipe.build ? `${recipe.buildTimeoutSeconds} s` : undefined],
    ['Grace before KILL', `${recipe.graceSeconds} s`],
    ['A hang means', recipe.onHang],
    ['A failed build means', recipe.build ? recipe.onBuildFailure : undefined],
    ['First parent', args.firstParent ? 'yes (--first-parent)' : undefined],
    ['Workers', args.jobs && args.jobs > 1 ? String(args.jobs) : undefined],
    ['Narrowing', args.narrow && args.narrow !== 'none' ? `down to ${args.narrow}s${args.narrowBudget ? ` (budget: ${[args.narrowBudget.tests ? `${args.narrowBudget.tests} tests` : '', args.narrowBudget.seconds ? `${args.narrowBudget.seconds} s` : ''].filter(Boolean).join(', ')})` : ''}` : undefined],
    ['Narrowing check', typeof args.narrowCheck === 'string' ? args.narrowCheck : args.narrowCheck === false ? 'none' : undefined],
    ['Repeat', args.repeat ? `${args.repeat.runs} runs, ${args.repeat.policy}` : undefined],
    ['Flaky', args.flaky ? `confidence ${args.flaky.confidence}, flake rate ${args.flaky.flakeRate ?? 'estimated'}` : undefined],
    ['Metric', args.metric ? `/${args.metric.pattern}/, ${args.metric.worse} is worse` : undefined],
    ['Artifacts kept', args.artifacts?.length ? args.artifacts.join(' ') : undefined],
    ['Verdict cache', args.cache ? 'used' : 'not used (--no-cache)'],
  ];
  const tools = hunt.result?.tools;
  if (tools) out.push(['Tools', [`culprit ${tools.culprit}`, `Node ${tools.node}`, tools.vcs].filter(Boolean).join(', ')]);
  out.push(['Started', hunt.createdAt], ['Finished', hunt.finishedAt ?? undefined]);
  return out.filter((row): row is [string, string] => row[1] !== undefined);
}

export function recipeSection(hunt: HuntRow): Html {
  const reproduce = hunt.result?.reproduce;
  return html`<section id="recipe" aria-labelledby="recipe-title"><h2 id="recipe-title">Reproduce</h2>
${reproduce ? html`<p>Run the test once on the answer, as the hunt did:</p><pre class="command"><code>${reproduce}</code></pre>` : html`<p>No single answer to reproduce${hunt.result ? '' : ' yet'}.</p>`}
<h3>Recipe</h3><dl class="facts">${joinHtml(rows(hunt).map(([term, value]) => html`<dt>${term}</dt><dd>${term === 'Build' || term === 'Test' ? html`<code>${value}</code>` : value}</dd>`))}</dl></section>`;
}
