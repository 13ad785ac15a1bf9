import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserUnavailable, resolveBrowser, type BrowserEngine } from '../../harness/browser/engine.js';
import { Peer } from '../../harness/browser/peer.js';
import { isTabProcess, processGone, tabProcessPids } from '../../harness/browser/tab-processes.js';
import { killTabProcesses } from '../../harness/faults/kill-tab-processes.js';

/** Browser launches take 6-25 s on the loaded 2-core machine (Firefox the longer). */
const BROWSER_TEST_TIMEOUT_MS = 120_000;

const noFirefox = browserUnavailable('firefox');
if (noFirefox) console.warn(`skipped: ${noFirefox}`);

describe('which processes are tabs', () => {
  const ff = (type: string) => [`/usr/lib/firefox-esr/firefox-esr -contentproc -isForBrowser -parentPid 1 -appDir /usr/lib/firefox-esr/browser 5 ${type}`, ''];
  it('Firefox: web content processes (their command line is one space-separated string), not extensions, sockets or the fork server', () => {
    expect(isTabProcess(ff('tab'), 'Isolated Web Co')).toBe(true);
    expect(isTabProcess(ff('tab'), 'Web Content')).toBe(true);
    expect(isTabProcess(ff('tab'), 'WebExtensions')).toBe(false);
    expect(isTabProcess(ff('tab'), 'Privileged Cont')).toBe(false);
    expect(isTabProcess(ff('socket'), 'Socket Process')).toBe(false);
    expect(isTabProcess(ff('forkserver'), 'forkserver')).toBe(false);
    expect(isTabProcess(['/usr/bin/firefox-esr', '--profile', '/tmp/p', ''], 'firefox-esr')).toBe(false);
  });
  it('Chromium: renderers, not extension renderers, the GPU process or the browser', () => {
    expect(isTabProcess(['/usr/lib/chromium/chromium', '--type=renderer', '--lang=en', ''], 'chromium')).toBe(true);
    expect(isTabProcess(['/usr/lib/chromium/chromium', '--type=renderer', '--extension-process', ''], 'chromium')).toBe(false);
    expect(isTabProcess(['/usr/lib/chromium/chromium', '--type=gpu-process', ''], 'chromium')).toBe(false);
    expect(isTabProcess(['/usr/lib/chromium/chromium', '--user-data-dir=/tmp/p', ''], 'chromium')).toBe(false);
  });
});

/** A real browser of `engine` on a throwaway profile, for `body`; closed and its profile deleted after, pass or fail. */
async function withPeer(engine: BrowserEngine, body: (peer: Peer) => Promise<void>): Promise<void> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-killtab-'));
  const peer = await Peer.launch({ name: engine, browser: resolveBrowser(engine), headless: true, profileDir: path.join(workDir, `profile-${engine}`) });
  try {
    await body(peer);
  } finally {
    await peer.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

describe.skipIf(noFirefox !== undefined)('kill-tab-processes on a real Firefox', () => {
  it(
    'kills the page (and closes the dead tab) while the browser process lives on and opens a new tab',
    () =>
      withPeer('firefox', async (peer) => {
        await peer.page.setContent('<p>before</p>');
        expect(await peer.page.evaluate(() => 1 + 1)).toBe(2);
        const pids = tabProcessPids(peer.pid!);
        expect(pids.length, 'the page runs in a content process under the browser').toBeGreaterThan(0);

        const old = peer.page;
        await killTabProcesses.create({}, { peer }).inject();
        expect(pids.every(processGone)).toBe(true);
        // Without the keep-on-tab-crash wrapper (firefox-launch.ts) Firefox would shut down here.
        expect(processGone(peer.pid!), 'the browser process survived its tab').toBe(false);
        // The dead tab is closed, so calls on it fail at once instead of waiting for ever (BiDi).
        expect(old.isClosed()).toBe(true);
        await expect(old.locator('p').evaluate((el) => el.textContent)).rejects.toThrow();

        const tab = await peer.newPage();
        await tab.setContent('<p>after</p>');
        expect(await tab.evaluate(() => document.body.textContent)).toBe('after');
      }),
    BROWSER_TEST_TIMEOUT_MS,
  );
});

describe('kill-tab-processes on a real Chromium', () => {
  it(
    'kills the renderer (the page crashes) while the browser process lives on and opens a new tab',
    () =>
      withPeer('chromium', async (peer) => {
        await peer.page.setContent('<p>before</p>');
        const pids = tabProcessPids(peer.pid!);
        expect(pids.length, 'the page runs in a renderer under the browser').toBeGreaterThan(0);
        const old = peer.page;
        // inject() closes the dead tab, so the wait may reject before inject() returns: handle it
        // from the start (the event may or may not get out first), or it is an unhandled rejection.
        const crashed = peer.page.waitForEvent('crash', { timeout: 10_000 }).catch(() => undefined);
        await killTabProcesses.create({}, { peer }).inject();
        await crashed;
        expect(pids.every(processGone), 'every renderer of the tab is gone').toBe(true);
        expect(old.isClosed(), 'the dead tab is closed').toBe(true);
        expect(processGone(peer.pid!), 'the browser process survived its tab').toBe(false);
        const tab = await peer.newPage();
        await tab.setContent('<p>after</p>');
        expect(await tab.evaluate(() => document.body.textContent)).toBe('after');
      }),
    BROWSER_TEST_TIMEOUT_MS,
  );
});
