// Resume and the verdict cache on Mercurial: a hunt killed with SIGKILL several times ends with the same answer
// and at most one repeated probe per kill; a second identical hunt runs nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { culprit, finished, startCulprit, whenRunning, type CliResult } from '../fixtures/cli.js';
import { seededRandom } from '../fixtures/random-history.js';
import { linearHgRepo } from '../fixtures/scripted-hg-repo.js';
import { tempDir } from '../fixtures/scripted-repo.js';

const count = (file: string): number => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;

describe('resume on Mercurial', () => {
  it('resumes after SIGKILLs with the same answer, and a second identical hunt runs nothing', async () => {
    const repo = await linearHgRepo(60, 37);
    const scratch = tempDir();
    const counter = path.join(scratch, 'runs');
    writeFileSync(counter, '');
    const store = path.join(scratch, 'store.sqlite');
    const hunt = (...extra: string[]): string[] => [
      'run', '--repo', repo.dir, '--good', repo.commits[0]!, '--bad', repo.head, '--store', store, '--workdir', path.join(scratch, 'cache'),
      '--narrow', 'none', '--json', '--test', `echo run >> ${counter}; sleep 0.2; grep -q ok state.txt`, ...extra,
    ];
    const reference = await culprit(hunt('--no-cache', '--store', path.join(scratch, 'reference.sqlite')));
    expect(reference.code, reference.stderr).toBe(0);
    const uninterrupted = count(counter);
    writeFileSync(counter, '');

    // Each kill lands during the 1st-3rd test run from here, as the seed picks: the same points on every run of the test.
    const random = seededRandom(2718);
    let kills = 0;
    let final: CliResult | undefined;
    for (let attempt = 0; attempt < 4 && !final; attempt++) {
      const target = count(counter) + 1 + Math.floor(random() * 3);
      const child = startCulprit(hunt('--no-cache'));
      const done = finished(child);
      const outcome = (await whenRunning(child, done, () => count(counter) >= target)) ?? (child.kill('SIGKILL'), await done);
      if (outcome.signal === 'SIGKILL') kills += 1;
      else final = outcome;
    }
    final ??= await culprit(['resume', '--repo', repo.dir, '--store', store, '--json']);
    expect(final.code, final.stderr).toBe(0);
    expect(JSON.parse(final.stdout).firstBad.commit).toBe(repo.culprit);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(count(counter)).toBeLessThanOrEqual(uninterrupted + kills);

    const before = count(counter);
    const again = await culprit(hunt());
    expect(again.code).toBe(0);
    expect(count(counter), again.stderr).toBe(before);
    expect(JSON.parse(again.stdout).probes.every((probe: { source: string }) => probe.source === 'cached')).toBe(true);
  }, 180_000);
});
