// Parity with the real git binary: on random merge-heavy repositories, `git bisect run` and DagBisection
// probe the same commits in the same order and name the same answer (also with --first-parent and skips).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { CommitGraph, type CommitRecord } from '../src/search/commit-graph.js';
import { DagBisection, type BisectVerdict } from '../src/search/dag-bisection.js';
import { createRandomHistory, gitEnvironment, seededRandom, type PlannedCommit } from './fixtures/random-history.js';

const run = promisify(execFile);

interface Outcome {
  probes: string[];
  /** The "(roughly k steps)" estimate shown with each probe. */
  estimates: number[];
  found?: string;
  ambiguous?: string[];
}

interface Scenario {
  bad: number;
  goods: number[];
  culprit: number;
  skips: Set<number>;
  firstParent: boolean;
}

/** Indices of commits that have `commit` as an ancestor or are it (the planted culprit's "bad" set). */
function descendantsOf(plan: readonly PlannedCommit[], commit: number): boolean[] {
  const result = plan.map((_, index) => index === commit);
  plan.forEach((entry, index) => {
    if (entry.parents.some((parent) => result[parent])) result[index] = true;
  });
  return result;
}

function ancestorsOf(plan: readonly PlannedCommit[], commit: number): boolean[] {
  const result = plan.map(() => false);
  const stack = [commit];
  while (stack.length > 0) {
    const x = stack.pop() as number;
    if (result[x]) continue;
    result[x] = true;
    stack.push(...(plan[x] as PlannedCommit).parents);
  }
  return result;
}

function chooseScenario(plan: readonly PlannedCommit[], seed: number, firstParent: boolean, skipRate: number): Scenario {
  const random = seededRandom(seed * 7919 + (firstParent ? 1 : 0) + Math.round(skipRate * 100));
  const pick = (items: number[]): number => items[Math.floor(random() * items.length)] as number;
  const n = plan.length;
  const culprit = 1 + Math.floor(random() * (n - 1));
  const isBad = descendantsOf(plan, culprit);
  const bad = random() < 0.7 ? n - 1 : pick(plan.map((_, i) => i).filter((i) => isBad[i]));
  const ancestorsOfBad = ancestorsOf(plan, bad);
  const goodPool = plan.map((_, i) => i).filter((i) => ancestorsOfBad[i] && !isBad[i]);
  // Sometimes a second good: git then walks `bad ^good1 ^good2`.
  const goods = [...new Set(random() < 0.5 ? [0] : random() < 0.6 ? [pick(goodPool)] : [pick(goodPool), pick(goodPool)])];
  const skips = new Set<number>();
  if (skipRate > 0) {
    for (let i = 0; i < n; i++) if (i !== bad && !goods.includes(i) && random() < skipRate) skips.add(i);
    if (random() < 0.5) skips.add(culprit);
    skips.delete(bad);
  }
  return { bad, goods, culprit, skips, firstParent };
}

async function gitBisect(dir: string, env: NodeJS.ProcessEnv, scriptDir: string, hashes: string[], scenario: Scenario): Promise<Outcome> {
  // --no-checkout (the probe is BISECT_HEAD) and a script with one git call keep each step to two processes;
  // neither changes which commit git chooses.
  const skipped = [...scenario.skips].map((i) => hashes[i] as string);
  const script = path.join(scriptDir, 'verdict.sh');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'read head < "$(dirname "$0")/repo/.git/BISECT_HEAD"',
      ...(skipped.length > 0 ? [`case "$head" in ${skipped.join('|')}) exit 125;; esac`] : []),
      `if git merge-base --is-ancestor ${hashes[scenario.culprit]} "$head"; then exit 1; fi`,
      'exit 0',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const git = (args: string[]) => run('git', args, { cwd: dir, env, maxBuffer: 1 << 26 });
  const start = await git(['bisect', 'start', '--no-checkout', ...(scenario.firstParent ? ['--first-parent'] : []), hashes[scenario.bad] as string, ...scenario.goods.map((g) => hashes[g] as string)]);
  // `git bisect run` would test (and log) the original HEAD even when start has already found the answer.
  const finished = /is the first bad commit$/m.test(start.stdout);
  const { stdout: runOutput } = finished ? { stdout: '' } : await git(['bisect', 'run', script]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const stdout = start.stdout + runOutput;
  const estimates = [...stdout.matchAll(/\(roughly (\d+) steps?\)/g)].map((match) => Number(match[1]));
  // What `git bisect log` prints, read without spawning its shell wrapper.
  const log = readFileSync(path.join(dir, '.git', 'BISECT_LOG'), 'utf8');
  await git(['bisect', 'reset']);
  const probes = [...log.matchAll(/^git bisect (?:good|bad|skip) ([0-9a-f]{40})$/gm)].map((match) => match[1] as string);
  const found = /^([0-9a-f]{40}) is the first bad commit$/m.exec(stdout)?.[1];
  const listed = /The first bad commit could be any of:\n((?:[0-9a-f]{40}\n)+)/.exec(stdout)?.[1];
  if (found) return { probes, estimates, found };
  if (listed) return { probes, estimates, ambiguous: listed.trim().split('\n').sort() };
  throw new Error(`git bisect run ended without an answer:\n${stdout}`);
}

async function loadGraph(dir: string, env: NodeJS.ProcessEnv, bad: string, goods: string[]): Promise<CommitGraph> {
  const { stdout } = await run('git', ['rev-list', '--parents', '--timestamp', bad, ...goods.map((good) => `^${good}`), '--'], { cwd: dir, env, maxBuffer: 1 << 26 });
  const records: CommitRecord[] = [];
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const [time, key, ...parents] = line.split(' ');
    records.push({ key: key as string, time: Number(time), parents });
  }
  return CommitGraph.fromRecords(records);
}

function culpritBisect(graph: CommitGraph, hashes: string[], plan: readonly PlannedCommit[], scenario: Scenario): Outcome {
  const isBad = descendantsOf(plan, scenario.culprit);
  const indexOf = new Map(hashes.map((hash, index) => [hash, index]));
  const search = new DagBisection(graph, graph.idOf(hashes[scenario.bad] as string) as number, [], { firstParent: scenario.firstParent });
  const probes: string[] = [];
  const estimates: number[] = [];
  for (;;) {
    const step = search.next();
    if (step.kind === 'found') return { probes, estimates, found: graph.keyOf(step.commit) };
    if (step.kind === 'ambiguous') return { probes, estimates, ambiguous: step.commits.map((id) => graph.keyOf(id)).sort() };
    estimates.push(search.estimatedSteps());
    const key = graph.keyOf(step.commit);
    probes.push(key);
    const index = indexOf.get(key) as number;
    const verdict: BisectVerdict = scenario.skips.has(index) ? 'skip' : isBad[index] ? 'bad' : 'good';
    search.record(step.commit, verdict);
    if (probes.length > graph.size) throw new Error('bisection does not terminate');
  }
}

/** The answer a planted culprit implies: itself, or with --first-parent the oldest first-parent commit above it. */
function expectedFirstBad(plan: readonly PlannedCommit[], scenario: Scenario): number {
  if (!scenario.firstParent) return scenario.culprit;
  const isBad = descendantsOf(plan, scenario.culprit);
  let answer = scenario.bad;
  for (let x: number | undefined = scenario.bad; x !== undefined && isBad[x]; x = plan[x]?.parents[0]) answer = x;
  return answer;
}

describe('random-history fixture', () => {
  test('is deterministic for a seed, and a planted marker is in exactly the culprit and its descendants', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'culprit-fixture-'));
    try {
      const env = gitEnvironment({ HOME: home });
      const options = { commits: 120, seed: 77, mergeProbability: 0.4, octopusProbability: 0.3, marker: { commitIndex: 40, file: 'state.txt', content: 'bug\n' }, env };
      const first = createRandomHistory(path.join(home, 'one'), options);
      const second = createRandomHistory(path.join(home, 'two'), options);
      expect(second.commits).toEqual(first.commits);
      expect(first.commits).toHaveLength(120);
      expect(first.head).toBe(first.commits[119]);
      expect(first.plan.some((commit) => commit.parents.length > 2)).toBe(true);
      // Every commit is an ancestor of head, and the parents git stored are the planned ones.
      const { stdout } = await run('git', ['rev-list', '--parents', first.head], { cwd: first.dir, env });
      const index = new Map(first.commits.map((hash, i) => [hash, i]));
      const parents = new Map(stdout.trim().split('\n').map((line) => {
        const [hash, ...rest] = line.split(' ');
        return [index.get(hash as string), rest.map((p) => index.get(p))] as const;
      }));
      expect(parents.size).toBe(120);
      first.plan.forEach((commit, i) => expect(parents.get(i)).toEqual(commit.parents));
      const isBad = descendantsOf(first.plan, 40);
      const check = await new Promise<string>((resolve, reject) => {
        const child = execFile('git', ['cat-file', '--batch-check'], { cwd: first.dir, env }, (error, out) => (error ? reject(error) : resolve(out)));
        child.stdin?.end(first.commits.map((hash) => `${hash}:state.txt\n`).join(''));
      });
      expect(check.trim().split('\n').map((line) => !line.endsWith('missing'))).toEqual(isBad);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

// 30 seeds keep this file within a minute; CULPRIT_PARITY_SEEDS=FIRST-LAST runs a longer sweep by hand.
const [firstSeed, lastSeed] = (process.env.CULPRIT_PARITY_SEEDS ?? '1-30').split('-').map(Number) as [number, number];
const SEEDS = Array.from({ length: lastSeed - firstSeed + 1 }, (_, i) => firstSeed + i);

describe.concurrent('DagBisection makes the choices of git bisect run', () => {
  test.each(SEEDS)('random history, seed %i', async (seed) => {
    const commits = 20 + ((seed * 97) % 281);
    const equalDates = seed % 2 === 0;
    const home = mkdtempSync(path.join(os.tmpdir(), 'culprit-parity-'));
    try {
      const env = gitEnvironment({ HOME: home });
      const repo = createRandomHistory(path.join(home, 'repo'), { commits, seed, equalDates, mergeProbability: 0.3 + (seed % 3) * 0.1, env });
      const firstParent = seed % 3 === 0;
      const scenarios = [chooseScenario(repo.plan, seed, firstParent, 0), chooseScenario(repo.plan, seed, firstParent, 0.1 + (seed % 4) * 0.08)];
      for (const scenario of scenarios) {
        const fromGit = await gitBisect(repo.dir, env, home, repo.commits, scenario);
        const graph = await loadGraph(repo.dir, env, repo.commits[scenario.bad] as string, scenario.goods.map((g) => repo.commits[g] as string));
        const fromCulprit = culpritBisect(graph, repo.commits, repo.plan, scenario);
        expect(fromCulprit).toEqual(fromGit);
        const expected = repo.commits[expectedFirstBad(repo.plan, scenario)] as string;
        if (fromGit.found) expect(fromGit.found).toBe(expected);
        else expect(fromGit.ambiguous).toContain(expected);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
