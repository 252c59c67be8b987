// Parity with the real hg binary: on random repositories with merges, `hg bisect --command` and HgBisection
// test the same changesets in the same order and name the same answer, skips included.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CommitGraph, type CommitRecord } from '../src/search/commit-graph.js';
import type { BisectVerdict } from '../src/search/dag-bisection.js';
import { HgBisection } from '../src/search/hg-bisection.js';
import { createRandomHgHistory, runHgAll, writeCulpritOracle, type HgResult, type RandomHgHistory } from './fixtures/random-hg-history.js';
import { seededRandom } from './fixtures/random-history.js';

const NULL_NODE = '0'.repeat(40);

interface Outcome {
  probes: string[];
  /** hg's "(N changesets remaining, ~k tests)" for the first probe. */
  first?: { remaining: number; tests: number };
  found?: string;
  ambiguous?: string[];
}

interface Scenario {
  bad: number;
  goods: number[];
  culprit: number;
  skips: number[];
}

function ancestorsOf(parents: readonly number[][], revs: readonly number[]): Set<number> {
  const seen = new Set<number>();
  const stack = [...revs];
  while (stack.length > 0) {
    const x = stack.pop() as number;
    if (seen.has(x)) continue;
    seen.add(x);
    stack.push(...(parents[x] as number[]));
  }
  return seen;
}

function descendantsOf(parents: readonly number[][], rev: number): Set<number> {
  const result = new Set([rev]);
  parents.forEach((entry, x) => {
    if (entry.some((p) => result.has(p))) result.add(x);
  });
  return result;
}

/**
 * Goods are ancestors of bad that do not descend from the culprit, sometimes two, sometimes with a good
 * off to the side (not an ancestor of bad), which only the GOODS::GOODS part of the region keeps honest.
 * The culprit may lie on a branch hg never bisects; hg then names the merge that brought it in.
 */
function chooseScenario(parents: readonly number[][], seed: number, skipRate: number): Scenario {
  const random = seededRandom(seed * 104_729 + 17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const n = parents.length;
  for (;;) {
    const bad = random() < 0.7 ? n - 1 : Math.floor(n / 2 + random() * (n / 2));
    const aboveBad = ancestorsOf(parents, [bad]);
    const culprit = pick([...aboveBad]);
    const isBad = descendantsOf(parents, culprit);
    const goodPool = [...aboveBad].filter((rev) => !isBad.has(rev));
    if (goodPool.length === 0) continue;
    const goods = [pick(goodPool)];
    if (random() < 0.3) goods.push(pick(goodPool));
    const sidePool = parents.map((_, rev) => rev).filter((rev) => !isBad.has(rev) && !aboveBad.has(rev));
    if (sidePool.length > 0 && random() < 0.25) goods.push(pick(sidePool));
    const skips: number[] = [];
    if (skipRate > 0) {
      for (let rev = 0; rev < n; rev++) if (rev !== bad && rev !== culprit && random() < skipRate) skips.push(rev);
      if (culprit !== bad && random() < 0.5) skips.push(culprit);
    }
    return { bad, goods: [...new Set(goods)], culprit, skips };
  }
}

/** The `hg log` that fetches the region the hg adapter loads (see HgBisection); regionGraph reads its output. */
function regionLog(repo: string, bad: string, goods: readonly string[]): { args: string[]; cwd: string } {
  const goodSet = `(${goods.join(' + ')})`;
  return { args: ['log', '-r', `${goodSet}::${bad} + ${goodSet}::${goodSet}`, '-T', '{rev} {node} {p1.node} {p2.node}\n'], cwd: repo };
}

/** The region regionLog fetched, time = revision number. */
function regionGraph(stdout: string): CommitGraph {
  const records: CommitRecord[] = stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [rev, node, p1, p2] = line.split(' ') as [string, string, string, string];
      return { key: node, time: Number(rev), parents: [p1, p2].filter((p) => p !== NULL_NODE) };
    });
  return CommitGraph.fromRecords(records);
}

/** The nodes hg lists after its verdict line ("changeset:   REV:HASH"), mapped to full hashes by revision. */
function parseResult(output: string, nodes: readonly string[]): Pick<Outcome, 'found' | 'ambiguous'> {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line === 'The first bad revision is:' || line === 'Due to skipped revisions, the first bad revision could be any of:');
  if (start < 0) throw new Error(`no result in hg's output:\n${output}`);
  const listed = lines
    .slice(start + 1)
    .map((line) => /^changeset:\s+(\d+):([0-9a-f]+)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => {
      const node = nodes[Number(match[1])] as string;
      expect(node.startsWith(match[2] as string)).toBe(true);
      return node;
    });
  return lines[start]?.startsWith('The first') ? { found: listed[0] as string } : { ambiguous: listed.sort() };
}

/**
 * hg bisect on a copy of the history, and (in the same hg process as its last command, to save a start-up) the
 * region log: `regionStdout` is what that printed.
 */
async function hgBisect(history: RandomHgHistory, scratch: string, scenario: Scenario, region: { args: string[]; cwd: string }): Promise<Outcome & { badNodes: Set<string>; regionStdout: string }> {
  const { nodes } = history;
  // hg bisect writes .hg/bisect.state and updates the working copy: never in the repository we generated.
  const copy = path.join(scratch, 'bisect-copy');
  cpSync(history.dir, copy, { recursive: true });
  const oracle = writeCulpritOracle(history, path.join(scratch, 'oracle'), scenario.culprit, scenario.skips);
  const [, marked] = (await runHgAll([
    { args: ['bisect', '--good', scenario.goods.map((rev) => nodes[rev] as string).join(' + ')], cwd: copy },
    { args: ['bisect', '--bad', nodes[scenario.bad] as string], cwd: copy },
  ])) as [HgResult, HgResult];
  const testing = /^Testing changeset (\d+):[0-9a-f]+ .*\((\d+) changesets remaining, ~(\d+) tests\)$/m.exec(marked.stdout);
  if (testing === null) {
    const [regionRun] = (await runHgAll([region])) as [HgResult];
    return { probes: [], ...parseResult(marked.stdout, nodes), badNodes: oracle.badNodes, regionStdout: regionRun.stdout };
  }
  const [ran, regionRun] = (await runHgAll([{ args: ['bisect', '--command', oracle.script], cwd: copy }, region])) as [HgResult, HgResult];
  const probes = readFileSync(oracle.probesFile, 'utf8').split('\n').filter((line) => line.length > 0);
  expect(probes[0]).toBe(nodes[Number(testing[1])]);
  return {
    probes,
    first: { remaining: Number(testing[2]), tests: Number(testing[3]) },
    ...parseResult(ran.stdout, nodes),
    badNodes: oracle.badNodes,
    regionStdout: regionRun.stdout,
  };
}

function culpritBisect(graph: CommitGraph, history: RandomHgHistory, scenario: Scenario, badNodes: Set<string>): Outcome & { culpritInRange: boolean } {
  const { nodes } = history;
  const idOf = (rev: number): number => {
    const id = graph.idOf(nodes[rev] as string);
    if (id === undefined) throw new Error(`revision ${rev} is not in the loaded region`);
    return id;
  };
  const skips = new Set(scenario.skips.map((rev) => nodes[rev] as string));
  const bisection = new HgBisection(graph, idOf(scenario.bad), scenario.goods.map(idOf));
  const culpritId = graph.idOf(nodes[scenario.culprit] as string);
  const culpritInRange = culpritId !== undefined && bisection.candidates().includes(culpritId);
  const outcome = { probes: [] as string[], culpritInRange } as Outcome & { culpritInRange: boolean };
  for (;;) {
    const step = bisection.next();
    if (step.kind === 'found') return { ...outcome, found: graph.keyOf(step.commit) };
    if (step.kind === 'ambiguous') return { ...outcome, ambiguous: step.commits.map((id) => graph.keyOf(id)).sort() };
    const key = graph.keyOf(step.commit);
    outcome.first ??= { remaining: bisection.candidateCount(), tests: bisection.estimatedSteps() };
    outcome.probes.push(key);
    const verdict: BisectVerdict = skips.has(key) ? 'skip' : badNodes.has(key) ? 'bad' : 'good';
    bisection.record(step.commit, verdict);
  }
}

// Two at a time: each scenario is mostly hg start-ups, and this machine has two cores.
let slots = 2;
const waiting: (() => void)[] = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  while (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  slots--;
  try {
    return await work();
  } finally {
    slots++;
    waiting.shift()?.();
  }
}

const root = mkdtempSync(path.join(os.tmpdir(), 'culprit-hg-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cases = Array.from({ length: 25 }, (_, i) => ({
  seed: 1000 + i,
  changesets: 20 + Math.round((280 * ((i * 7) % 25)) / 24),
  mergeProbability: [0.15, 0.3, 0.45][i % 3] as number,
  skipRate: i % 3 === 2 ? 0.15 : i % 5 === 0 ? 0.05 : 0,
}));

describe('HgBisection against hg bisect --command', () => {
  test.concurrent.each(cases)('seed $seed: $changesets changesets, merges $mergeProbability, skips $skipRate', async ({ seed, changesets, mergeProbability, skipRate }) => {
    await limited(async () => {
      const scratch = path.join(root, `seed-${seed}`);
      const history = await createRandomHgHistory({ changesets, seed, mergeProbability, dir: `${scratch}-repo` });
      const scenario = chooseScenario(history.parents, seed, skipRate);
      const region = regionLog(
        history.dir,
        history.nodes[scenario.bad] as string,
        scenario.goods.map((rev) => history.nodes[rev] as string),
      );
      const hg = await hgBisect(history, scratch, scenario, region);
      const graph = regionGraph(hg.regionStdout);
      const ours = culpritBisect(graph, history, scenario, hg.badNodes);
      expect(ours.probes).toEqual(hg.probes);
      expect(ours.first).toEqual(hg.first);
      expect({ found: ours.found, ambiguous: ours.ambiguous }).toEqual({ found: hg.found, ambiguous: hg.ambiguous });
      if (process.env.CULPRIT_PARITY_VERBOSE) {
        const hgCandidates = hg.first?.remaining ?? 1;
        console.log(
          `seed ${seed}: ${changesets} changesets, ${hgCandidates} candidates, ${hg.probes.length} probes, ${hg.found ? 'found' : `ambiguous(${hg.ambiguous?.length})`}, ` +
            `${scenario.goods.length} goods, culprit ${ours.culpritInRange ? 'in range' : 'on an ignored branch'}`,
        );
      }
    });
    // Waiting for a slot counts against the test's time, so allow more than one scenario needs.
  }, 120_000);
});
