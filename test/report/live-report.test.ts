// `culprit serve ID` against a hunt that is running: the page in Chromium shows each verdict as it is stored (a gate
// file lets the probes finish one at a time, so no timing is assumed), then the end of the hunt; the server answers
// only to 127.0.0.1, refuses writes, and stops cleanly on SIGTERM. Bad input is one line and exit 2.
import { request } from 'node:http';
import { connect } from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshot } from '../fixtures/browser.js';
import { culprit, finished, startCulprit, whenRunning } from '../fixtures/cli.js';
import { linearRepo, tempDir } from '../fixtures/scripted-repo.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Sends a request as raw bytes; resolves with the status line. */
function rawStatus(url: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\r\n')) {
        socket.destroy();
        resolve(text.split('\r\n')[0] ?? '');
      }
    });
    socket.on('error', reject);
  });
}

function status(url: string, options: { host?: string; method?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const sent = request({ host: target.hostname, port: target.port, path: '/', method: options.method ?? 'GET', headers: options.host ? { host: options.host } : {} }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('culprit serve', () => {
  it('shows a running hunt and refreshes as its verdicts arrive, then its end', async () => {
    const repo = await linearRepo(40, 23);
    const dir = tempDir();
    const gate = path.join(dir, 'gate');
    const store = path.join(dir, 'hunts.sqlite');
    // Each run waits for the gate to open (and closes it behind itself), or for it to be opened for good.
    const test = `while [ ! -f '${gate}.open' ] && [ ! -f '${gate}.all' ]; do sleep 0.05; done; rm -f '${gate}.open'; grep -q ok state.txt`;
    const hunt = startCulprit(['run', '--repo', repo.dir, '--good', repo.commits[0] ?? '', '--bad', repo.head, '--test', test, '--timeout', '120', '--narrow', 'none', '--store', store, '--workdir', path.join(dir, 'work')]);
    const huntDone = finished(hunt);
    let server: ReturnType<typeof startCulprit> | undefined;
    try {
      // The hunt is in the store once it shows there (its first probe waits at the gate meanwhile).
      while (!existsSync(store) || (await culprit(['show', '1', '--store', store])).code !== 0) {
        expect(hunt.exitCode).toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      server = startCulprit(['serve', '1', '--store', store]);
      const serverDone = finished(server);
      let url = '';
      server.stdout?.on('data', (chunk: Buffer) => (url += chunk.toString()));
      expect(await whenRunning(server, serverDone, () => url.endsWith('\n'))).toBeUndefined();
      url = url.trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

      const { page, problems, requests } = await openPage(browser, url, { width: 1280 });
      await expect(page.locator('#live-status').textContent()).resolves.toContain('refreshing');
      const count = async (): Promise<number> => Number(await page.locator('#probe-count').textContent());
      expect(await count()).toBe(0);
      // One verdict at a time: each shows up on the page without a reload.
      for (let verdicts = 1; verdicts <= 3; verdicts++) {
        writeFileSync(`${gate}.open`, '');
        await page.waitForFunction((n) => Number(document.getElementById('probe-count')?.textContent) >= n, verdicts, { timeout: 30_000 });
      }
      await screenshot(page, 'live-running');
      writeFileSync(`${gate}.all`, '');
      const result = await huntDone;
      expect(result.code, result.stderr).toBe(0);
      await page.waitForFunction(() => document.getElementById('live-status')?.textContent?.includes('ended'), undefined, { timeout: 30_000 });
      await expect(page.locator('h1').textContent()).resolves.toContain(`First bad commit ${repo.culprit.slice(0, 12)}`);
      await expect(page.locator('#bisection svg.chart').count()).resolves.toBe(1);
      // The header followed: the status, and links to the sections the finished hunt has.
      await expect(page.locator('#hunt-status').textContent()).resolves.toBe('found');
      await expect(page.locator('header nav').textContent()).resolves.toContain('Bisection');
      await screenshot(page, 'live-ended');
      // The page fetched itself again, and listened to the events: nothing else, and only from culprit serve.
      expect(requests.every((each) => each.startsWith(url))).toBe(true);
      expect(problems).toEqual([]);
      await page.close();

      // Only this machine's names; read-only.
      expect(await status(url, { host: 'evil.example' })).toBe(421);
      expect(await status(url, { host: `localhost:${new URL(url).port}` })).toBe(200);
      // A request it cannot parse gets its answer; the server stays up.
      expect(await rawStatus(url, 'GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 (400|421)/);
      expect(await status(url, { method: 'POST' })).toBe(405);
      expect(await status(url, {})).toBe(200);
      server.kill('SIGTERM');
      const stopped = await serverDone;
      expect(stopped.code).toBe(0);
    } finally {
      // Whatever failed, nothing is left waiting or running.
      writeFileSync(`${gate}.all`, '');
      server?.kill('SIGTERM');
      await huntDone;
    }
  }, 120_000);

  it('refuses a missing id, an unknown hunt and a bad port in one line each', async () => {
    const dir = tempDir();
    const store = path.join(dir, 'hunts.sqlite');
    const cases: Array<[string[], RegExp]> = [
      [['serve', '1', '--store', store], /store/],
      [['serve', 'x', '--store', store], /hunt id|hunt/],
      [['serve', '1', '--port', '70000', '--store', store], /--port must be a port number from 0 to 65535, got '70000'/],
      [['serve', '1', '--port', 'abc', '--store', store], /--port must be a port number/],
    ];
    for (const [args, message] of cases) {
      const result = await culprit(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
