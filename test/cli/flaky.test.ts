// `culprit run --flaky` end to end: generated repositories whose test fails only 70% of the time after the culprit
// (a seeded sequence, so every run of this file is the same), the culprit named with its confidence over many seeds.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { launchBrowser, openPage, screenshot } from '../fixtures/browser.js';
import { culprit, repoSnapshot } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';
import { seededTestScript } from '../fixtures/seeded-test-script.js';

/** A test that fails with probability 1 − q on a bad commit and never on a good one, from a seeded counter. */
function flakyTest(q: number, seed: number): string {
  return seededTestScript(seed, `process.exit(bad && uniform(n) >= ${q} ? 1 : 0);`);
}

interface Document {
  firstBad: { commit: string } | null;
  status: string;
  stages: Array<{ stage: string; strategy?: string; flaky?: { probability: number; confidence: number; flakeRate: number; estimate?: { runs: number; passes: number }; runs: number } }>;
}

async function hunt(repo: string, test: string, good: string, extra: string[] = []): Promise<{ code: number | null; document: Document; stderr: string }> {
  const store = path.join(tempDir(), 'hunts.sqlite');
  const result = await culprit(['run', '--repo', repo, '--good', good, '--bad', 'HEAD', '--test', test, '--flaky', '--timeout', '30', '--store', store, '--json', ...extra], { env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } });
  return { code: result.code, document: JSON.parse(result.stdout || '{}') as Document, stderr: result.stderr };
}

describe('culprit run --flaky', () => {
  it('names the culprit of a test that fails 70% of the time in every seed, with its confidence', async () => {
    const seeds = 5;
    let right = 0;
    for (let seed = 0; seed < seeds; seed++) {
      const culpritAt = 2 + ((seed * 7) % 28);
      const repo = await linearRepo(32, culpritAt);
      const before = repoSnapshot(repo.dir);
      const { code, document, stderr } = await hunt(repo.dir, flakyTest(0.3, seed), repo.commits[0] ?? '', ['--narrow', 'none', ...(seed % 4 === 3 ? ['--jobs', '2'] : [])]);
      const bisection = document.stages.find((stage) => stage.stage === 'bisection');
      expect(bisection?.strategy, stderr).toBe('flaky');
      expect(bisection?.flaky?.confidence).toBe(0.99);
      expect(bisection?.flaky?.estimate?.runs).toBe(10);
      if (code === 0 && document.firstBad?.commit === repo.culprit) {
        right += 1;
        expect(bisection?.flaky?.probability).toBeGreaterThanOrEqual(0.99);
        expect(stderr).toMatch(/is the first bad commit with probability 0\.99\d/);
      }
      expect(repoSnapshot(repo.dir)).toEqual(before);
    }
    // At 0.99 confidence five hunts are all right with probability ≥ 0.95; these seeds are fixed and all right (the
    // search's own test covers 200 seeds).
    expect(right).toBe(seeds);
  }, 240_000);

  it('takes the flake rate when given, and says what it assumed', async () => {
    const repo = await linearRepo(32, 20);
    const report = path.join(tempDir(), 'flaky.html');
    const { code, document, stderr } = await hunt(repo.dir, flakyTest(0.3, 99), repo.commits[0] ?? '', ['--flake-rate', '0.3', '--confidence', '0.995', '--narrow', 'none', '--report', report]);
    expect(code, stderr).toBe(0);
    expect(document.firstBad?.commit).toBe(repo.culprit);
    const flaky = document.stages.find((stage) => stage.stage === 'bisection')?.flaky;
    expect(flaky).toMatchObject({ flakeRate: 0.3, confidence: 0.995 });
    expect(flaky?.estimate).toBeUndefined();
    expect(stderr).toMatch(/flake rate 0\.30 \(as given\)/);
    // The report draws the posterior of the likeliest candidates, the named one first, and the leader's rise.
    const browser = await launchBrowser();
    try {
      const { page, problems } = await openPage(browser, pathToFileURL(report).href, { width: 390 });
      const labels = await page.locator('#bisection svg.chart text.mono').allTextContents();
      expect(labels[0]).toBe(repo.culprit.slice(0, 12));
      await expect(page.locator('#bisection svg.chart circle.leader').count()).resolves.toBeGreaterThan(1);
      expect(problems).toEqual([]);
      await screenshot(page, 'flaky-390');
    } finally {
      await browser.close();
    }
  });

  it('narrows a flaky culprit: each configuration runs until it fails or a bad one would have failed by now', async () => {
    const repo = await linearRepo(16, 11);
    const { code, document, stderr } = await hunt(repo.dir, flakyTest(0.3, 3), repo.commits[0] ?? '', ['--flake-rate', '0.3', '--narrow', 'line']);
    expect(code, stderr).toBe(0);
    expect(document.firstBad?.commit).toBe(repo.culprit);
    const narrowed = (document as Document & { narrowed: { diff: string; verified: boolean; status: string } }).narrowed;
    // The culprit commit changes file-11.txt and state.txt; only state.txt's "bug" makes the test fail (sometimes).
    expect(narrowed.status).toBe('narrowed');
    expect(narrowed.diff).toMatch(/^\+bug$/m);
    expect(narrowed.diff).not.toMatch(/file-11/);
    expect(narrowed.verified).toBe(true);
    // q = 0.3 at 0.99: a passing configuration ran ceil(log 0.01 / log 0.3) = 4 times, a failing one until it failed.
    const runs = new Map<string, string[]>();
    for (const probe of (document as Document & { narrowingProbes: Array<{ configuration: string; verdict: string }> }).narrowingProbes) runs.set(probe.configuration, [...(runs.get(probe.configuration) ?? []), probe.verdict]);
    const sequences = [...runs.values()];
    expect(sequences.some((verdicts) => verdicts.length === 4 && verdicts.every((verdict) => verdict === 'good'))).toBe(true);
    // A failing one stops at its failure: no configuration that failed has four passes before it.
    for (const verdicts of sequences) if (verdicts.includes('bad')) expect(verdicts.slice(0, verdicts.indexOf('bad')).length).toBeLessThan(4);
  });

  it('with --repeat 6 runs each probe up to six times, stores every run, and stops at the first failure (any-fail)', async () => {
    const repo = await linearRepo(16, 9);
    const store = path.join(tempDir(), 'hunts.sqlite');
    const result = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', 'HEAD', '--test', flakyTest(0.3, 7), '--repeat', '6', '--narrow', 'none', '--timeout', '30', '--store', store, '--json'], { env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } });
    expect(result.code, result.stderr).toBe(0);
    const document = JSON.parse(result.stdout) as Document & { probes: Array<{ commit: string; verdict: string; subject: string }> };
    expect(document.firstBad?.commit).toBe(repo.culprit);
    // Every run is its own stored probe: a good commit's six passes are six rows, a bad one's rows end at its first failure.
    const byCommit = new Map<string, string[]>();
    for (const probe of document.probes) byCommit.set(probe.commit, [...(byCommit.get(probe.commit) ?? []), probe.verdict]);
    expect(byCommit.get(repo.commits[0] ?? '')).toEqual(['good', 'good', 'good', 'good', 'good', 'good']);
    for (const [commit, verdicts] of byCommit) {
      if (repo.commits.indexOf(commit) < 9) expect(verdicts.every((verdict) => verdict === 'good')).toBe(true);
      else expect(verdicts.indexOf('bad')).toBe(verdicts.length - 1);
    }
    expect(result.stderr).toMatch(/\(\d of \d runs failed\)/);
    // Single runs of a repeated probe are samples, not verdicts: a later plain hunt gets none of them from the cache.
    const plain = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', 'HEAD', '--test', flakyTest(0.3, 7), '--narrow', 'none', '--timeout', '30', '--store', store, '--json'], { env: { XDG_CACHE_HOME: tempDir('culprit-cache-') } });
    const plainProbes = (JSON.parse(plain.stdout || '{}') as { probes?: Array<{ source: string }> }).probes ?? [];
    expect(plainProbes.length, plain.stderr).toBeGreaterThan(0);
    expect(plainProbes.filter((probe) => probe.source === 'cached')).toEqual([]);
    const policy = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--test', 'true', '--policy', 'majority']);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toMatch(/--policy says how repeated runs decide, but there is no --repeat/);
  });

  it('says in one line what is wrong: options without --flaky, out of range, a bad that never fails, a good that fails', async () => {
    const repo = await linearRepo(8, 4);
    const base = ['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', 'HEAD', '--test', 'grep -q ok state.txt'];
    const cases: Array<[string[], RegExp]> = [
      [['--confidence', '0.9'], /--confidence is for flaky tests/],
      [['--flake-rate', '0.3'], /--flake-rate is for flaky tests/],
      [['--flaky', '--confidence', '1.5'], /--confidence must be a number from 0.5 to 0.9999, got '1.5'/],
      [['--flaky', '--flake-rate', 'often'], /--flake-rate must be a number from 0 to 0.95/],
      [['--flaky', '--flake-rate', '0x0'], /--flake-rate must be a number from 0 to 0.95, got '0x0'/],
      [['--repeat', '0x3'], /--repeat must be a whole number from 1 to 100, got '0x3'/],
      [['--flaky', '--first-parent'], /--first-parent with --flaky is not supported yet/],
    ];
    for (const [extra, pattern] of cases) {
      const result = await culprit([...base, ...extra, '--store', path.join(tempDir(), 'hunts.sqlite')]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
    }
    const never = await hunt(repo.dir, 'true', repo.commits[0] ?? '');
    expect(never.code).toBe(2);
    expect(never.stderr).toMatch(/bad [0-9a-f]+ never failed in 10 runs/);
    const failing = await hunt(repo.dir, 'false', repo.commits[0] ?? '');
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/with --flaky a good revision must never fail/);
  });
});
