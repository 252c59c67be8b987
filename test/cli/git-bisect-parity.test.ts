// The check users will run: on random merge-heavy histories, `culprit run` names the same first bad commit
// as `git bisect run` and probes no more commits than git does (endpoint verifications aside).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit } from '../fixtures/cli.js';
import { createRandomHistory, gitEnvironment, seededRandom } from '../fixtures/random-history.js';
import { tempDir } from '../fixtures/scripted-repo.js';

const TEST = '! test -f culprit.txt';

function gitBisectRun(repo: string, good: string, bad: string, firstParent: boolean): { firstBad: string | undefined; probes: number } {
  const clone = path.join(tempDir(), 'clone');
  const env = gitEnvironment();
  const git = (args: string[], cwd = clone) => spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  git(['clone', '-q', repo, clone], tempDir());
  git(['bisect', 'start', ...(firstParent ? ['--first-parent'] : []), bad, good]);
  const run = git(['bisect', 'run', 'sh', '-c', TEST]);
  const firstBad = /([0-9a-f]{40}) is the first bad commit/.exec(run.stdout)?.[1];
  const log = git(['bisect', 'log']).stdout;
  return { firstBad, probes: log.split('\n').filter((line) => /^git bisect (good|bad|skip) /.test(line)).length };
}

describe('culprit run against git bisect run', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: same first bad commit, no more probes`, async () => {
      const random = seededRandom(seed);
      const commits = 40 + Math.floor(random() * 160);
      const culpritIndex = 1 + Math.floor(random() * (commits - 2));
      const firstParent = seed % 4 === 0;
      const history = createRandomHistory(path.join(tempDir(), 'repo'), {
        commits,
        seed,
        equalDates: seed % 2 === 0,
        marker: { commitIndex: culpritIndex, file: 'culprit.txt', content: 'the regression\n' },
      });
      const git = gitBisectRun(history.dir, history.root, history.head, firstParent);
      const result = await culprit(
        ['run', '--repo', history.dir, '--good', history.root, '--bad', history.head, '--test', TEST, '--json', '--no-cache', '--narrow', 'none', ...(firstParent ? ['--first-parent'] : [])],
        { env: { XDG_CACHE_HOME: tempDir() } },
      );
      expect(result.code, result.stderr).toBe(0);
      const document = JSON.parse(result.stdout);
      expect(document.firstBad.commit).toBe(git.firstBad);
      const ours = document.probes.length - 2;
      expect(ours).toBeLessThanOrEqual(git.probes);
    });
  }
});
