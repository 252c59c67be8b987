// Builds the demo's repository: a small network client with a few hundred commits and many merges, where
// one commit inside a merge of seven unrelated fixes makes the read loop retry EBADF forever (a hang).
import type { SyntheticCommit } from './fast-import.js';
import { seededRandom } from './seeded-random.js';

export const DEMO_TEST_COMMAND = 'node test/read-loop.test.js';
export const DEMO_CULPRIT_SUBJECT = 'Retry reads that fail with EPIPE or EBADF on reused sockets';

export interface DemoHistory {
  commits: SyntheticCommit[];
  /** Mark of the planted culprit commit. */
  culprit: number;
  /** Mark of the merge that carries it into main. */
  merge: number;
  /** Tag name → mark. */
  tags: Map<string, number>;
  /** Marks of the release commits on main (`Release 1.0.N`), oldest first: the versions demo publishes some. */
  releases: number[];
}

const AUTHORS = [
  'Ada Byron <ada@example.org>',
  'Grace Hopper <grace@example.org>',
  'Ken Iverson <ken@example.org>',
  'Barbara Liskov <barbara@example.org>',
  'Edsger Dijkstra <edsger@example.org>',
];


const CLIENT = `import { RETRYABLE } from './errors.js';

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads a peer until it ends; transient errors are retried, the others raised to the caller. */
export async function readAll(peer) {
  let text = '';
  for (;;) {
    let chunk;
    try {
      chunk = peer.read();
    } catch (error) {
      if (RETRYABLE.includes(error.code)) {
        await pause(5);
        continue;
      }
      throw error;
    }
    if (chunk === null) return text;
    text += chunk;
  }
}
`;

const errorsModule = (codes: string[]): string =>
  `// Error codes the read loop treats as transient: it waits and retries instead of raising them.\nexport const RETRYABLE = [${codes.map((code) => `'${code}'`).join(', ')}];\n`;

const TEST = `import { readAll } from '../src/client.js';

const failure = (code) => Object.assign(new Error(code), { code });

/** A peer that follows a script of chunks and errors, then ends (null) or fails for ever once closed. */
function peer(script, closedWith) {
  const steps = [...script];
  return {
    read() {
      if (steps.length === 0) {
        if (closedWith) throw failure(closedWith);
        return null;
      }
      const step = steps.shift();
      if (typeof step === 'string') return step;
      throw failure(step.error);
    },
  };
}

const text = await readAll(peer(['hello ', { error: 'EINTR' }, 'world']));
if (text !== 'hello world') {
  console.error(\`expected "hello world", got "\${text}"\`);
  process.exit(1);
}

// A peer that closes its socket: every later read fails with EBADF, which must reach the caller.
try {
  await readAll(peer(['partial'], 'EBADF'));
  console.error('expected EBADF from a closed peer');
  process.exit(1);
} catch (error) {
  if (error.code !== 'EBADF') throw error;
}
console.log('read loop ok');
`;

export function demoHistory(): DemoHistory {
  const next = seededRandom(20260);
  const commits: SyntheticCommit[] = [];
  const tags = new Map<string, number>();
  const releases: number[] = [];
  let time = Date.UTC(2025, 0, 6, 9) / 1000;
  let mark = 0;
  let version = 0;
  const commit = (branch: string, parents: number[], message: string, files: Record<string, string | null>): number => {
    time += 600 + Math.floor(next() * 3000);
    mark += 1;
    commits.push({ mark, branch, parents, message, author: AUTHORS[Math.floor(next() * AUTHORS.length)] ?? AUTHORS[0]!, time, files });
    return mark;
  };
  const changelog: string[] = ['# Changelog', ''];
  const note = (line: string): Record<string, string> => {
    changelog.push(`- ${line}`);
    return { 'CHANGELOG.md': `${changelog.join('\n')}\n` };
  };

  let main = commit('main', [], 'Start the client: a read loop with retries', {
    'package.json': '{\n  "name": "demo-client",\n  "type": "module",\n  "private": true\n}\n',
    'README.md': '# demo-client\n\nA tiny network client. `node test/read-loop.test.js` checks its read loop.\n',
    'src/client.js': CLIENT,
    'src/errors.js': errorsModule(['EAGAIN', 'EINTR']),
    'test/read-loop.test.js': TEST,
    'src/version.js': `export const VERSION = '1.0.${version}';\n`,
    'LICENSE': 'Copyright 2024 The demo-client authors.\n',
  });
  const mainCommit = (message: string, files: Record<string, string | null>): void => {
    main = commit('main', [main], message, { ...note(message), ...files });
  };

  let feature = 0;
  let fixesMerged = false;
  let culprit = 0;
  let merge = 0;
  while (commits.length < 420) {
    const roll = next();
    if (!tags.has('v1.0') && commits.length >= 18) tags.set('v1.0', main);
    if (!fixesMerged && commits.length > 230) {
      // The merge of the story: seven unrelated fixes, one of which makes a closed peer hang the read loop.
      const fork = main;
      let tip = fork;
      const fixes: Array<[string, Record<string, string>]> = [
        ['Fix a typo in the README', { 'README.md': '# demo-client\n\nA tiny network client. `node test/read-loop.test.js` checks its read loop.\n\nSee docs/ for details.\n' }],
        ['Correct an off-by-one in the progress bar', { 'src/progress.js': 'export const progress = (done, total) => `${done}/${total}`;\n' }],
        [DEMO_CULPRIT_SUBJECT, { 'src/errors.js': errorsModule(['EAGAIN', 'EINTR', 'EPIPE', 'EBADF']) }],
        ['Document the retry policy', { 'docs/retry.md': '# Retries\n\nTransient errors are retried every 5 ms.\n' }],
        ['Guard against an empty configuration', { 'src/config.js': 'export const load = (text) => (text ? JSON.parse(text) : {});\n' }],
        ['Log the peer address on connect', { 'src/connect.js': "export const describe = (peer) => `connected to ${peer.address ?? 'unknown'}`;\n" }],
        ['Update the copyright year', { LICENSE: 'Copyright 2024-2025 The demo-client authors.\n' }],
      ];
      const merged: Record<string, string> = {};
      for (const [message, files] of fixes) {
        tip = commit('fixes', [tip], message, files);
        Object.assign(merged, files);
        if (message === DEMO_CULPRIT_SUBJECT) culprit = tip;
      }
      for (let i = 0; i < 4; i++) mainCommit(`Note release preparation ${i + 1}`, { [`docs/notes-${commits.length}.md`]: `Release note ${i}\n` });
      main = commit('main', [main, tip], "Merge branch 'fixes' (seven fixes for 1.3)", { ...merged, ...note('Seven fixes for 1.3') });
      merge = main;
      fixesMerged = true;
    } else if (roll < 0.3) {
      feature += 1;
      const name = `feature-${feature}`;
      let tip = main;
      const length = 2 + Math.floor(next() * 5);
      const files: Record<string, string> = {};
      for (let i = 1; i <= length; i++) {
        const content = `export const ${name.replace('-', '')} = ${i}; // step ${i} of ${name}\n`;
        const change = { [`src/features/${name}.js`]: content, [`docs/${name}.md`]: `# ${name}\n\nStep ${i}.\n` };
        tip = commit(name, [tip], `${name}: step ${i}`, change);
        Object.assign(files, change);
      }
      if (next() < 0.5) mainCommit(`Tidy the changelog before ${name}`, {});
      main = commit('main', [main, tip], `Merge branch '${name}'`, { ...files, ...note(`Add ${name}`) });
    } else if (roll < 0.4) {
      version += 1;
      mainCommit(`Release 1.0.${version}`, { 'src/version.js': `export const VERSION = '1.0.${version}';\n` });
      releases.push(main);
      if (version % 5 === 0) tags.set(`v1.${version / 5}`, main);
    } else {
      mainCommit(`Write down note ${commits.length}`, { [`docs/notes-${commits.length}.md`]: `Note ${commits.length}\n` });
    }
  }
  return { commits, culprit, merge, tags, releases };
}
