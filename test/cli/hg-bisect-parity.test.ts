// The check users will run on Mercurial: on random repositories with merges, `culprit run` names the same
// first bad changeset as `hg bisect --command` and probes no more changesets (endpoint checks aside).
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { createRandomHgHistory, runHgAll, writeCulpritOracle, type HgResult } from '../fixtures/random-hg-history.js';
import { seededRandom } from '../fixtures/random-history.js';
import { tempDir } from '../fixtures/scripted-repo.js';

describe('culprit run against hg bisect --command', () => {
  for (const seed of [11, 12, 13, 14, 15]) {
    it(`seed ${seed}: same first bad changeset, no more probes`, async () => {
      const random = seededRandom(seed);
      const changesets = 30 + Math.floor(random() * 120);
      const scratch = tempDir();
      const history = await createRandomHgHistory({ changesets, seed, dir: path.join(scratch, 'repo'), rootProbability: 0 });
      const culpritRev = 1 + Math.floor(random() * (changesets - 2));

      const copy = path.join(scratch, 'bisect-copy');
      cpSync(history.dir, copy, { recursive: true });
      const hgOracle = writeCulpritOracle(history, path.join(scratch, 'hg-oracle'), culpritRev);
      const [, , ran] = (await runHgAll([
        { args: ['bisect', '--good', history.nodes[0]!], cwd: copy },
        { args: ['bisect', '--bad', history.head], cwd: copy },
        { args: ['bisect', '--command', hgOracle.script], cwd: copy },
      ])) as [HgResult, HgResult, HgResult];
      const hgProbes = readFileSync(hgOracle.probesFile, 'utf8').split('\n').filter(Boolean).length;
      const hgFirstBad = /The first bad revision is:\nchangeset:\s+\d+:([0-9a-f]+)/.exec(ran.stdout)?.[1];

      const ourOracle = writeCulpritOracle(history, path.join(scratch, 'our-oracle'), culpritRev);
      const result = await culprit(['run', '--repo', history.dir, '--good', history.nodes[0]!, '--bad', history.head, '--json', '--no-cache', '--narrow', 'none', '--', ourOracle.script], {
        env: { XDG_CACHE_HOME: tempDir() },
      });
      expect(result.code, result.stderr).toBe(0);
      const document = JSON.parse(result.stdout);
      expect(hgFirstBad).toBeDefined();
      expect(document.firstBad.commit.startsWith(hgFirstBad!)).toBe(true);
      expect(document.probes.length - 2).toBeLessThanOrEqual(hgProbes);
    }, 120_000);
  }
});
