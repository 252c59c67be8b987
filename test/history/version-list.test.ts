// The version list as a history: a line where each version's parent is the one before, searched by the same
// bisection as commits; the list's input checks; and bisection over it against a linear scan, by property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { checkVersionList, parseVersionList } from '../../src/history/version-list-input.js';
import { VersionList } from '../../src/history/version-list.js';
import { chooseBisection } from '../../src/hunt/strategy-choice.js';

const list = (versions: string[]): VersionList => new VersionList({ versions, origin: 'lib', root: '/project' });

describe('VersionList', () => {
  it('loads the versions after the good one up to the bad one, each the parent of the next', async () => {
    const versions = list(['1.0', '1.1', '1.2', '1.3', '1.4']);
    const graph = await versions.loadGraph('1.3', ['1.0']);
    expect(graph.size).toBe(3);
    expect([0, 1, 2].map((id) => graph.keyOf(id))).toEqual(['1.1', '1.2', '1.3']);
    expect(graph.parentsOf(graph.idOf('1.3')!)[0]).toBe(graph.idOf('1.2'));
    expect(await versions.isAncestor('1.1', '1.3')).toBe(true);
    expect(await versions.isAncestor('1.3', '1.1')).toBe(false);
    expect(await versions.parents('1.0')).toEqual([]);
    expect(versions.shortName('1.2.0-beta.10')).toBe('1.2.0-beta.10');
  });

  it('keys verdicts by the project files and installs by the manifests only', async () => {
    const base = { versions: ['1.0', '1.1'], origin: 'lib', root: '/p' };
    const a = new VersionList({ ...base, project: { directory: '/p', filesDigest: 'f1', installDigest: 'i1' } });
    const b = new VersionList({ ...base, project: { directory: '/p', filesDigest: 'f2', installDigest: 'i1' } });
    expect(await a.treeOf('1.0')).not.toBe(await b.treeOf('1.0'));
    expect(a.installTreeOf('1.0')).toBe(b.installTreeOf('1.0'));
    expect(a.installTreeOf('1.0')).not.toBe(a.installTreeOf('1.1'));
  });

  it('names a version it does not hold as bad input, with the range it does hold', async () => {
    const error = await list(['1.0', '1.1']).resolve('2.0', '--bad').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).line).toBe('--bad 2.0 is not one of the 2 versions of lib; pick one of them (1.0 … 1.1)');
  });

  it('bisects a list of versions to the first bad one, as a linear scan would, whatever the skips', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.array(fc.nat(), { maxLength: 6 }), async (length, at, skipSeeds) => {
        const versions = Array.from({ length }, (_, index) => `1.${index}.0`);
        const firstBad = 1 + (at % (length - 1));
        // Any version but the bad endpoint may fail to install.
        const skipped = new Set(skipSeeds.map((seed) => 1 + (seed % (length - 1))).filter((index) => index !== length - 1));
        const graph = await list(versions).loadGraph(versions[length - 1]!, [versions[0]!]);
        const { strategy } = chooseBisection('versions', graph, graph.idOf(versions[length - 1]!)!, [], { firstParent: false, workers: 1 });
        let probes = 0;
        let plan = strategy.plan(1, []);
        while (plan.done === undefined) {
          const candidate = plan.start[0];
          if (candidate === undefined) throw new Error('a plan with nothing to start and no answer');
          const index = versions.indexOf(graph.keyOf(candidate));
          strategy.record(candidate, skipped.has(index) ? 'skip' : index >= firstBad ? 'bad' : 'good');
          probes += 1;
          plan = strategy.plan(1, []);
        }
        // The linear scan: the first bad version, or, when skipped versions sit right before it or on it, those
        // skipped versions and the first testable bad one after them.
        let from = firstBad;
        while (from - 1 >= 1 && skipped.has(from - 1)) from -= 1;
        let to = firstBad;
        while (skipped.has(to)) to += 1;
        const expected = versions.slice(from, to + 1);
        const result = plan.done;
        if (result.kind === 'found') expect([graph.keyOf(result.commit)]).toEqual(expected);
        else expect(result.commits.map((id) => graph.keyOf(id)).sort()).toEqual([...expected].sort());
        if (skipped.size === 0) expect(probes).toBeLessThanOrEqual(Math.ceil(Math.log2(length)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('version list input', () => {
  it('reads versions by word or line, with # comments', () => {
    expect(parseVersionList('# releases, oldest first\n2.6.7\n2.7 2.7.1  # the first with the new loop\n\n2.7.2\n')).toEqual(['2.6.7', '2.7', '2.7.1', '2.7.2']);
  });

  it('refuses an empty list, one version, duplicates and names a shell would interpret', () => {
    expect(() => checkVersionList([], 'list')).toThrow(UsageError);
    expect(() => checkVersionList(['1.0'], 'list')).toThrow(/holds only 1\.0/);
    expect(() => checkVersionList(['1.0', '1.1', '1.0'], 'list')).toThrow(/1\.0 appears twice/);
    expect(() => checkVersionList(['1.0', '$(rm -rf ~)'], 'list')).toThrow(/not a plain name/);
    expect(() => checkVersionList(['1.0', 'v2.0.0-rc.1+build.5', 'release/3.0', 'nightly-2026-12-01'], 'list')).not.toThrow();
  });
});
