// `culprit run --metric` end to end: a generated repository whose test prints a timing that grows by 20% (under 5%
// noise, a seeded sequence) after the culprit, and one whose timing never changes, which must find no regression.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { launchBrowser, openPage, screenshot } from '../fixtures/browser.js';
import { culprit } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';
import { seededTestScript } from '../fixtures/seeded-test-script.js';

/** Prints `time: X ms`: 100 ms, times `slowdown` on a bad commit, with 5% normal noise from a seeded counter. */
function timingTest(slowdown: number, seed: number): string {
  return seededTestScript(
    seed,
    `const noise = Math.sqrt(-2 * Math.log(uniform(2 * n))) * Math.cos(2 * Math.PI * uniform(2 * n + 1));
console.log('setting up');
console.log('time: ' + (100 * (bad ? ${slowdown} : 1) * (1 + 0.05 * noise)).toFixed(2) + ' ms');`,
  );
}

interface Document {
  firstBad: { commit: string } | null;
  stages: Array<{ stage: string; metric?: { good: { median: number; n: number }; bad: { median: number; n: number }; relativeShift: number; pValue: number } }>;
}

async function hunt(repo: string, good: string, test: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return culprit(['run', '--repo', repo, '--good', good, '--bad', 'HEAD', '--test', test, '--metric', 'time: ([0-9.]+) ms', '--timeout', '30', '--store', path.join(tempDir(), 'hunts.sqlite'), ...extra], { env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } });
}

describe('culprit run --metric', () => {
  it('names the commit after which the timing grew 20%, with both distributions and the shift', async () => {
    for (const seed of [2]) {
      const repo = await linearRepo(24, 9 + seed * 4);
      const report = path.join(tempDir(), 'metric.html');
      const result = await hunt(repo.dir, repo.commits[0] ?? '', timingTest(1.2, seed), ['--json', '--report', report]);
      expect(result.code, result.stderr).toBe(0);
      const document = JSON.parse(result.stdout) as Document;
      expect(document.firstBad?.commit).toBe(repo.culprit);
      const metric = document.stages.find((stage) => stage.stage === 'bisection')?.metric;
      expect(metric?.relativeShift).toBeGreaterThan(0.12);
      expect(metric?.relativeShift).toBeLessThan(0.28);
      expect(metric?.pValue).toBeLessThan(0.01);
      expect(metric?.good.n).toBeLessThanOrEqual(30);
      // The report plots every sample: the endpoints' and those of each commit the search sampled.
      const browser = await launchBrowser();
      try {
        const { page, problems } = await openPage(browser, pathToFileURL(report).href, { width: 1280 });
        const dots = await page.locator('#bisection svg.chart circle.mark').count();
        expect(dots).toBeGreaterThanOrEqual((metric?.good.n ?? 0) + (metric?.bad.n ?? 0));
        await expect(page.locator('#bisection svg.chart text').allTextContents()).resolves.toEqual(expect.arrayContaining([`good ${repo.commits[0]?.slice(0, 12)}`]));
        expect(problems).toEqual([]);
        await screenshot(page, 'metric-1280');
      } finally {
        await browser.close();
      }
      expect(result.stderr).toMatch(/Metric \/time: \(\[0-9\.\]\+\) ms\/ \(higher is worse\): good median \d+(\.\d+)? \(IQR [0-9.]+, n \d+\), bad median 1[12]\d(\.\d+)? \(IQR [0-9.]+, n \d+\); shift [0-9.]+ \(\+\d+\.\d%\), p = /);
    }
  }, 120_000);

  it('finds no regression when the timing never changed, and names no commit', async () => {
    const repo = await linearRepo(12, 6);
    const result = await hunt(repo.dir, repo.commits[0] ?? '', timingTest(1, 5));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no regression found: the metric at bad [0-9a-f]+ \(median [0-9.]+, n 30\) is not higher than at good/);
    expect(result.stdout).toBe('');
  }, 120_000);

  it('says in one line what is wrong with the options', async () => {
    const repo = await linearRepo(6, 3);
    const base = ['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', 'HEAD', '--test', 'true', '--store', path.join(tempDir(), 'hunts.sqlite')];
    const cases: Array<[string[], RegExp]> = [
      [['--metric', 'time: ([0-9.]+'], /is not a regular expression/],
      [['--metric', 'time: [0-9.]+'], /has no capture group for the number/],
      [['--worse', 'lower'], /--worse is for performance hunts/],
      [['--metric', 'time: ([0-9.]+)', '--worse', 'sideways'], /--worse must be one of higher, lower|--worse/],
      [['--metric', 'time: ([0-9.]+)', '--flaky'], /--metric and --flaky do not go together/],
      [['--metric', 'time: ([0-9.]+)', '--narrow', 'line'], /--narrow cannot narrow a performance regression yet/],
    ];
    for (const [extra, pattern] of cases) {
      const result = await culprit([...base, ...extra]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
    }
    const silent = await hunt(repo.dir, repo.commits[0] ?? '', 'echo nothing');
    expect(silent.code).toBe(2);
    expect(silent.stderr).toMatch(/good [0-9a-f]+ gives no metric: its run printed nothing matching --metric/);
  });
});
