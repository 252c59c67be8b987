// The HTML report's pure parts: escaping by construction, the split of probes into searches for the range charts,
// and the charts' marks, labels and scales.
import { describe, expect, it } from 'vitest';
import { levelsChart, posteriorChart, rangeChart } from '../../src/report/html/html-charts.js';
import { rangeSegments } from '../../src/report/html/html-stages.js';
import { html, joinHtml } from '../../src/report/html/html-text.js';
import type { ProbeRow } from '../../src/store/store-types.js';

function probe(step: number, phase: ProbeRow['phase'], progress: { left: number; search: string; endedAt?: number } | undefined, verdict: ProbeRow['verdict'] = 'good'): ProbeRow {
  return {
    id: step,
    huntId: 1,
    step,
    phase,
    source: 'run',
    cachedFrom: null,
    commit: `${step}`.padStart(40, 'a'),
    configuration: null,
    tree: 't',
    recipeKey: 'r',
    subject: `commit ${step}`,
    outcome: { kind: 'passed' },
    verdict,
    searchVerdict: verdict === 'hang' ? 'bad' : verdict,
    exitCode: 0,
    signal: null,
    seconds: 0.1,
    logPath: '',
    outputTail: '',
    startedAt: '',
    // Verdicts arrive in `endedAt` order, which is step order unless said otherwise.
    endedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, progress?.endedAt ?? step)).toISOString(),
    ...(progress === undefined ? {} : { progress: { candidatesLeft: progress.left, search: progress.search } }),
  };
}

describe('html', () => {
  it('escapes every interpolated value, and only those', () => {
    const hostile = `<script>alert("x")</script>&'`;
    expect(html`<p title="${hostile}">${hostile}</p>`.text).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>');
    expect(html`<ul>${[html`<li>${'<a>'}</li>`, html`<li>2</li>`]}</ul>`.text).toBe('<ul><li>&lt;a&gt;</li><li>2</li></ul>');
    expect(html`${null}${undefined}${false}${true}${0}`.text).toBe('0');
    expect(joinHtml([html`a`, html`b`], ', ').text).toBe('a, b');
  });
});

describe('rangeSegments', () => {
  it('gives each search its own probes in the order the verdicts came in, endpoint checks in none', () => {
    const probes = [
      probe(1, 'verify', undefined),
      probe(2, 'verify', undefined, 'bad'),
      probe(3, 'bisect', { left: 6, search: 'versions' }),
      probe(4, 'bisect', { left: 3, search: 'versions' }, 'bad'),
      probe(5, 'bisect', { left: 1, search: 'versions' }),
      // The source's commits, three workers at once: step 8 started last but answered first.
      probe(6, 'bisect', { left: 30, search: 'bisection', endedAt: 9 }),
      probe(7, 'bisect', { left: 12, search: 'bisection', endedAt: 10 }, 'hang'),
      probe(8, 'bisect', { left: 45, search: 'bisection', endedAt: 8 }),
      probe(9, 'descend', { left: 4, search: 'merge-descent', endedAt: 11 }),
      probe(10, 'descend', { left: 2, search: 'merge-descent', endedAt: 12 }),
      probe(11, 'narrow', undefined),
    ];
    const segments = rangeSegments(probes);
    expect(segments.map((segment) => [segment.search, segment.points.map((point) => point.candidatesLeft)])).toEqual([
      ['versions', [6, 3, 1]],
      ['bisection', [45, 30, 12]],
      ['merge-descent', [4, 2]],
    ]);
    expect(segments[1]?.points[2]?.verdict).toBe('hang');
  });

  it('takes the verdict the search acted on over the run’s own (a metric decides from several samples)', () => {
    const decided = { ...probe(3, 'bisect', { left: 5, search: 'bisection' }), progress: { candidatesLeft: 5, search: 'bisection', verdict: 'bad' } };
    expect(rangeSegments([decided])[0]?.points[0]?.verdict).toBe('bad');
  });
});

describe('charts', () => {
  it('draw one mark per probe, shaped by verdict, with the trail in words', () => {
    const points = [
      { step: 3, label: 'a', verdict: 'good', candidatesLeft: 500 },
      { step: 4, label: 'b', verdict: 'bad', candidatesLeft: 250 },
      { step: 5, label: 'c', verdict: 'hang', candidatesLeft: 125 },
      { step: 6, label: 'd', verdict: 'skip', candidatesLeft: 125 },
    ];
    const chart = rangeChart('r', 1000, points).text;
    expect(chart.match(/class="mark good"/g)).toHaveLength(1);
    expect(chart).toMatch(/<circle class="mark good"/);
    expect(chart).toMatch(/<rect class="mark bad"/);
    expect(chart.match(/<path class="mark /g)).toHaveLength(2);
    expect(chart).toContain('1000 → 500 → 250 → 125 → 125');
    expect(chart).toContain('candidates left (log)');
    expect(chart).toContain('aria-labelledby="r-title r-desc"');
    expect(rangeChart('s', 8, points.slice(0, 1)).text).not.toContain('(log)');
  });

  it('label levels with what was searched and kept, and posteriors with their values and the bar to reach', () => {
    const levels = levelsChart('l', [
      { level: 'files', units: 5, kept: 1, tests: 4 },
      { level: 'tokens', units: 3, tests: 2 },
    ]).text;
    expect(levels).toContain('5 searched, 1 kept, 4 tests');
    expect(levels).toContain('3 searched, 2 tests');
    const posterior = posteriorChart('p', [{ label: 'abc', probability: 0.9912 }], 0.99).text;
    expect(posterior).toContain('0.991');
    expect(posterior).toContain('0.99 asked for');
  });
});
