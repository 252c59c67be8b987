// The HTML report's pure parts: escaping by construction, the split of probes into searches for the range charts,
// and the charts' marks, labels and scales.
import { describe, expect, it } from 'vitest';
import { levelsChart, posteriorChart, rangeChart } from '../../src/report/html/html-charts.js';
import { rangeSegments } from '../../src/report/html/html-stages.js';
import { html, joinHtml } from '../../src/report/html/html-text.js';
import type { ProbeRow } from '../../src/store/store-types.js';

function probe(step: number, phase: ProbeRow['phase'], candidatesLeft: number | undefined, verdict: ProbeRow['verdict'] = 'good'): ProbeRow {
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
    endedAt: 'x',
    ...(candidatesLeft === undefined ? {} : { progress: { candidatesLeft } }),
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
  it('splits the probes with progress into searches, a new one where the range grows again, descents apart', () => {
    const probes = [
      probe(1, 'verify', undefined),
      probe(2, 'verify', undefined, 'bad'),
      probe(3, 'bisect', 6),
      probe(4, 'bisect', 3, 'bad'),
      probe(5, 'bisect', 1),
      // A versions hunt went on into its source: a second search.
      probe(6, 'verify', undefined),
      probe(7, 'bisect', 60),
      probe(8, 'bisect', 30, 'hang'),
      probe(9, 'descend', 4),
      probe(10, 'descend', 2),
      probe(11, 'narrow', undefined),
    ];
    const segments = rangeSegments(probes);
    expect(segments.map((segment) => [segment.descend, segment.points.map((point) => point.candidatesLeft)])).toEqual([
      [false, [6, 3, 1]],
      [false, [60, 30]],
      [true, [4, 2]],
    ]);
    expect(segments[1]?.points[1]?.verdict).toBe('hang');
  });

  it('takes the verdict the search acted on over the run’s own (a metric decides from several samples)', () => {
    const decided = { ...probe(3, 'bisect', 5), progress: { candidatesLeft: 5, verdict: 'bad' } };
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
