// `culprit demo --versions`: the whole story from released versions down to a token. The demo client publishes
// seven releases (builds in a directory per version); the first bad one is found, handed off to the repository
// by its release tag, the commit found there and its change narrowed to the token that makes the read loop hang.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_CULPRIT_SUBJECT, DEMO_TEST_COMMAND, demoHistory } from '../demo/demo-repository.js';
import { importHistory } from '../demo/fast-import.js';
import { runHunt } from '../hunt/hunt.js';
import type { Recipe } from '../model/recipe.js';
import { shellQuote } from '../probe/recipe.js';
import type { SessionStart } from './hunt-session.js';
import type { HuntResult } from '../hunt/hunt-types.js';

const DEMO_TIMEOUT_SECONDS = 2;
const RELEASES = 7;

export interface VersionsDemo {
  root: string;
  repository: string;
  releases: string;
  versions: string[];
  /** The commit the hunt should end on. */
  culprit: string;
}

/** The demo repository with seven of its releases tagged `release-1.N` and built into `releases/1.N/`. */
export async function createVersionsDemo(): Promise<VersionsDemo> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'culprit-demo-'));
  const repository = path.join(root, 'demo-client');
  const history = demoHistory();
  const step = (history.releases.length - 1) / (RELEASES - 1);
  const picked = Array.from({ length: RELEASES }, (_, index) => history.releases[Math.round(index * step)] ?? 0);
  const versions = picked.map((_, index) => `1.${index}`);
  const extra = picked.flatMap((mark, index) => [`reset refs/tags/release-${versions[index] ?? ''}`, `from :${mark}`, '']);
  mkdirSync(repository, { recursive: true });
  const marks = await importHistory(repository, history.commits, extra);
  const releases = path.join(root, 'releases');
  for (const version of versions) {
    const build = path.join(releases, version);
    mkdirSync(build, { recursive: true });
    // What a download site would hold: the release's files, without the repository around them.
    execFileSync('sh', ['-c', `git -C ${shellQuote(repository)} archive release-${version} | tar -x -C ${shellQuote(build)}`]);
  }
  return { root, repository, releases, versions, culprit: marks.get(history.culprit) ?? '' };
}

export async function huntVersionsDemo(demo: VersionsDemo, options: Record<string, unknown>, session: SessionStart): Promise<HuntResult> {
  const recipe: Recipe = { test: { shell: DEMO_TEST_COMMAND }, timeoutSeconds: DEMO_TIMEOUT_SECONDS, buildTimeoutSeconds: 3600, graceSeconds: 1, onHang: 'bad', onBuildFailure: 'skip' };
  process.stderr.write(`culprit demo: created ${demo.repository} and its releases ${demo.versions.join(', ')} in ${demo.releases}\n`);
  process.stderr.write(`culprit demo: ${DEMO_TEST_COMMAND} passes on 1.0 and hangs on ${demo.versions.at(-1) ?? ''}; finding the first bad release, then the commit, then the token (${DEMO_TIMEOUT_SECONDS} s timeout)\n\n`);
  return runHunt({
    repo: demo.root,
    goods: [demo.versions[0] ?? ''],
    bad: demo.versions.at(-1) ?? '',
    recipe,
    versions: {
      list: demo.versions,
      origin: 'demo-client',
      install: `cp -R ${shellQuote(demo.releases)}/{version}/. "$CULPRIT_WORKSPACE"`,
      source: { repo: demo.repository, tags: ['release-{version}'], recipe },
    },
    ...(typeof options.workdir === 'string' ? { workdir: options.workdir } : {}),
    ...(typeof options.store === 'string' ? { store: options.store } : {}),
    narrow: 'token',
    signal: session.signal,
    observer: session.observer,
  });
}

/** What the user can do next, and whether the demo ended where it should. */
export function versionsDemoEpilogue(demo: VersionsDemo, result: HuntResult): { text: string; found: boolean } {
  const found = result.firstBad?.commit === demo.culprit;
  const rerun = `npx culprit versions --name demo-client --list '${demo.versions.join(' ')}' --install 'cp -R ${demo.releases}/{version}/. "$CULPRIT_WORKSPACE"' --test ${shellQuote(DEMO_TEST_COMMAND)} --timeout ${DEMO_TIMEOUT_SECONDS} --grace 1 --source ${shellQuote(demo.repository)} --tag 'release-{version}'`;
  const text = [
    '',
    found ? `The demo found the first bad release, then the planted commit ("${DEMO_CULPRIT_SUBJECT}"), then its token.` : `The demo expected ${demo.culprit} ("${DEMO_CULPRIT_SUBJECT}") but the hunt said otherwise: please report this.`,
    `Rerun it by hand (every verdict now comes from the store):\n  ${rerun}`,
    `A report to paste into an issue, and one to open in a browser:\n  npx culprit report ${result.hunt} --format markdown\n  npx culprit report ${result.hunt} --format html -o culprit-hunt-${result.hunt}.html`,
    '',
  ].join('\n');
  return { text, found };
}
