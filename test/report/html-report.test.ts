// The HTML report in a real headless Chromium: a hunt with narrowing, written by `run --report`, opens with no
// console error and no request, shows the culprit, every probe and the rendered minimal diff at 1280 and 390 px,
// in light and dark; hostile commit subjects and test output stay text; bad output paths are refused up front.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHistory, type SyntheticCommit } from '../../src/demo/fast-import.js';
import { launchBrowser, openPage, pageWidth, screenshot } from '../fixtures/browser.js';
import { culprit } from '../fixtures/cli.js';
import { narrowingRepo } from '../fixtures/narrowing-repo.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

const DECISIVE = 'test "$(grep -c "const RETRIED" src/errors.js)" -eq 1 || exit 3; ! grep -q EBADF src/errors.js';

interface Document {
  hunt: number;
  firstBad: { commit: string; subject: string };
  probes: unknown[];
  narrowingProbes: unknown[];
  narrowed: { diff: string };
}

let browser: Browser;
let report: string;
let hunted: Document;
let culpritCommit: string;

beforeAll(async () => {
  const repo = await narrowingRepo();
  culpritCommit = repo.culprit;
  const dir = tempDir();
  report = path.join(dir, 'hunt.html');
  const store = path.join(dir, 'hunts.sqlite');
  const [hunt, launched] = await Promise.all([
    culprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', repo.head, '--test', DECISIVE, '--store', store, '--workdir', path.join(dir, 'work'), '--report', report, '--json']),
    launchBrowser(),
  ]);
  browser = launched;
  expect(hunt.code, hunt.stderr).toBe(0);
  hunted = JSON.parse(hunt.stdout) as Document;
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('the HTML report of a hunt with narrowing', () => {
  for (const width of [1280, 390]) {
    it(`shows the culprit, every probe and the minimal diff at ${width} px, loading nothing`, async () => {
      const { page, problems, requests } = await openPage(browser, pathToFileURL(report).href, { width });
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(report).href]);
      await expect(page.locator('h1').textContent()).resolves.toContain(`First bad commit ${culpritCommit.slice(0, 12)}: Seven fixes in one`);
      await expect(page.locator('#verdict .facts').textContent()).resolves.toContain(culpritCommit);
      const probes = hunted.probes.length + hunted.narrowingProbes.length;
      await expect(page.locator('#verdict-probes').textContent()).resolves.toBe(String(probes));
      await expect(page.locator('#timeline tbody tr').count()).resolves.toBe(probes);
      // The layout the width calls for is the one shown: side by side on a desktop, inline on a phone.
      const shown = page.locator(width > 760 ? '#verdict .diff-split' : '#verdict .diff-inline');
      await expect(shown.isVisible()).resolves.toBe(true);
      await expect(page.locator(width > 760 ? '#verdict .diff-inline' : '#verdict .diff-split').isVisible()).resolves.toBe(false);
      const added = await shown.locator('.d2h-ins .d2h-code-line-ctn').allTextContents();
      expect(added.join('\n')).toContain("export const RETRIED = ['ECONNRESET', 'EAGAIN', 'EBADF'];");
      const removed = await shown.locator('.d2h-del .d2h-code-line-ctn').allTextContents();
      expect(removed.join('\n')).toContain("export const RETRIED = ['ECONNRESET', 'EAGAIN'];");
      // The three checks, each in words.
      const checks = await page.locator('table.verification tbody tr').allTextContents();
      expect(checks).toHaveLength(3);
      expect(checks.slice(0, 2).every((row) => row.includes('ok'))).toBe(true);
      // The range chart has a marker per bisection probe, and the narrowing chart a bar per level.
      const bisected = await page.locator('#timeline tbody tr.bisect').count();
      await expect(page.locator('#bisection svg .mark').count()).resolves.toBe(bisected);
      await expect(page.locator('#narrowing svg g').count()).resolves.toBe(4);
      expect(await pageWidth(page)).toBeLessThanOrEqual(width);
      // A log tail opens on demand.
      const tail = page.locator('#timeline details').first();
      await tail.locator('summary').click();
      await expect(tail.locator('pre, p').first().isVisible()).resolves.toBe(true);
      await screenshot(page, `narrowing-${width}`);
      await page.close();
    });
  }

  it('follows the reader’s colour scheme and prints without the controls', async () => {
    const { page, problems } = await openPage(browser, pathToFileURL(report).href, { width: 1280, colorScheme: 'dark' });
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe('rgb(13, 17, 23)');
    await screenshot(page, 'narrowing-1280-dark');
    await page.emulateMedia({ media: 'print', colorScheme: 'light' });
    await expect(page.locator('nav').isVisible()).resolves.toBe(false);
    await expect(page.locator('fieldset.diff-switch').first().isVisible()).resolves.toBe(false);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('is the same file when rendered again from the store, leaving nothing else, and the Markdown and JSON reports name the same culprit', async () => {
    const store = path.join(path.dirname(report), 'hunts.sqlite');
    const again = path.join(path.dirname(report), 'again.html');
    const written = await culprit(['report', String(hunted.hunt), '--format', 'html', '-o', again, '--store', store]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toBe('');
    const strip = (text: string): string => text.replace(/ on \d{4}-\d\d-\d\dT[\d:.]+Z/, '');
    expect(strip(readFileSync(again, 'utf8'))).toBe(strip(readFileSync(report, 'utf8')));
    const stdout = await culprit(['report', String(hunted.hunt), '--format', 'html', '--store', store]);
    expect(stdout.stdout).toMatch(/^<!doctype html>/);
    // A file that cannot be written is one line, exit 2, whoever runs it (root may write almost anywhere, not in /proc).
    const unwritable = await culprit(['report', String(hunted.hunt), '--format', 'html', '-o', '/proc/culprit-report.html', '--store', store]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/^culprit: (-o .* cannot be written|could not write the report to \/proc\/culprit-report\.html: .*)\n$/);
    // Written whole, then renamed: no temporary file stays beside it.
    expect(readdirSync(path.dirname(report)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const markdown = await culprit(['report', String(hunted.hunt), '--format', 'markdown', '--store', store]);
    expect(markdown.stdout).toContain(`**First bad commit:** ${culpritCommit}`);
    const json = await culprit(['report', String(hunted.hunt), '--format', 'json', '--store', store]);
    expect((JSON.parse(json.stdout) as Document).firstBad.commit).toBe(culpritCommit);
  });
});

describe('the range chart of a hunt with several workers', () => {
  it('draws every bisection probe in the order its verdict came in, the range only ever shrinking', async () => {
    const repo = await linearRepo(100, 61);
    const dir = tempDir();
    const file = path.join(dir, 'jobs.html');
    const hunt = await culprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', repo.head, '--test', 'sleep 0.05; grep -q ok state.txt', '--jobs', '3', '--narrow', 'none', '--store', path.join(dir, 'hunts.sqlite'), '--workdir', path.join(dir, 'work'), '--report', file]);
    expect(hunt.code, hunt.stderr).toBe(0);
    const { page, problems } = await openPage(browser, pathToFileURL(file).href, { width: 1280 });
    const bisected = await page.locator('#timeline tbody tr.bisect').count();
    await expect(page.locator('#bisection svg .mark').count()).resolves.toBe(bisected);
    const trail = (await page.locator('#bisection svg desc').textContent()) ?? '';
    const counts = (/: ([\d →]+)\.$/.exec(trail)?.[1] ?? '').split(' → ').map(Number);
    expect(counts[0]).toBe(99);
    expect(counts.at(-1)).toBe(1);
    expect(counts.every((count, index) => index === 0 || count <= (counts[index - 1] ?? Infinity))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('hostile input in a report', () => {
  it('keeps commit subjects, authors and test output as text: no markup, no script, no request', async () => {
    const dir = tempDir();
    const repo = path.join(dir, 'repo');
    mkdirSync(repo);
    const evil = '<img src="http://127.0.0.1:9/subject.png" onerror="document.title=\'owned\'"></title><script>document.title="owned"</script>';
    const commits: SyntheticCommit[] = Array.from({ length: 6 }, (_, index) => ({
      mark: index + 1,
      branch: 'main',
      parents: index === 0 ? [] : [index],
      message: index === 3 ? `${evil} break it` : `change ${index}`,
      author: 'Mallory" onmouseover="document.title=1 <mallory@example.org>',
      time: 1_700_000_000 + index * 60,
      files: { 'state.txt': index >= 3 ? 'bad\n' : 'good\n', [`file-${index}.txt`]: `${index}\n`, ...(index === 3 ? { "x'><img src=http:127.0.0.1:9/file.png>.txt": '<script>document.title="owned"</script>\n' } : {}) },
    }));
    const marks = await importHistory(repo, commits);
    const test = `echo '<script>fetch("http://127.0.0.1:9/log")</script><iframe src="http://127.0.0.1:9/frame"></iframe>'; grep -q good state.txt`;
    const file = path.join(dir, 'evil.html');
    const hunt = await culprit(['run', '--repo', repo, '--good', marks.get(1) ?? '', '--bad', marks.get(6) ?? '', '--test', test, '--store', path.join(dir, 'hunts.sqlite'), '--workdir', path.join(dir, 'work'), '--report', file]);
    expect(hunt.code, hunt.stderr).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toContain('<img src="http://127.0.0.1:9');
    expect(html).not.toContain('<script>fetch');
    const { page, problems, requests } = await openPage(browser, pathToFileURL(file).href, { width: 1280 });
    await page.locator('#timeline details summary').first().click();
    expect(await page.title()).toMatch(/^First bad commit [0-9a-f]{12}: <img src=/);
    await expect(page.locator('h1').textContent()).resolves.toContain('<img src=');
    await expect(page.locator('#verdict .facts').textContent()).resolves.toContain("x'><img src=http:127.0.0.1:9/file.png>.txt");
    await expect(page.locator('#verdict .facts').textContent()).resolves.toContain('Mallory" onmouseover=');
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.locator('#timeline pre.log').first().textContent()).resolves.toContain('<script>fetch(');
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('where a report goes', () => {
  it('refuses a directory or a missing directory before the hunt starts, leaving nothing behind', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'hunts.sqlite');
    for (const [target, message] of [
      [dir, `--report ${dir} is a directory`],
      [path.join(dir, 'missing', 'r.html'), 'does not exist'],
    ] as const) {
      const result = await culprit(['run', '--repo', dir, '--good', 'HEAD~1', '--test', 'true', '--store', store, '--report', target]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
    expect(existsSync(store)).toBe(false);
  });

  it('refuses an unknown format, a bad -o and an unknown hunt in one line each', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'hunts.sqlite');
    writeFileSync(path.join(dir, 'placeholder'), '');
    const cases: Array<[string[], RegExp]> = [
      [['report', '1', '--format', 'pdf', '--store', store], /--format must be markdown, json or html, got 'pdf'/],
      [['report', '1', '--format', 'html', '-o', path.join(dir, 'nope', 'r.html'), '--store', store], /-o .*: the directory .* does not exist/],
      [['report', '1', '--format', 'html', '-o', dir, '--store', store], /-o .* is a directory/],
      [['report', '1', '--format', 'html', '--store', path.join(dir, 'none.sqlite')], /store/],
      [['report', '1', '--format', 'html', '-o', store, '--store', store], /is the hunt store itself/],
    ];
    for (const [args, message] of cases) {
      const result = await culprit(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
