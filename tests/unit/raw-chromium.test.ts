import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeMeasurement, probeBackgroundThrottling, THROTTLED_CHAIN_MS } from '../../harness/browser/raw-background-probe.js';
import type { CdpError } from '../../harness/browser/raw-cdp-client.js';
import { BACKGROUNDING_FLAGS, RawChromium, rawChromiumArgs } from '../../harness/browser/raw-chromium.js';
import { playwrightDisabledFeatures } from '../../harness/browser/playwright-disabled-features.js';

/**
 * Every live PID whose process group is `pgid` (Chromium's helpers live in the browser's group).
 * Zombies are dead already: they wait for PID 1 to reap them, which is not ours to hurry.
 */
function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, g, stat]) => Number(g) === pgid && !stat?.startsWith('Z'))
    .map(([p]) => Number(p));
}

describe('raw Chromium (no Playwright attached)', () => {
  const dirs: string[] = [];
  const browsers: RawChromium[] = [];
  afterEach(async () => {
    for (const b of browsers.splice(0)) await b.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-raw-'));
    dirs.push(dir);
    return dir;
  }

  it('gets the harness flags minus every flag that stops background throttling', () => {
    const args = rawChromiumArgs({ headless: true, profileDir: '/tmp/p' });
    for (const f of BACKGROUNDING_FLAGS) expect(args).not.toContain(f);
    const features = args.filter((a) => a.startsWith('--disable-features='));
    // Chromium honours only the last --disable-features: there must be one, holding everything.
    expect(features).toHaveLength(1);
    const list = features[0]!.slice('--disable-features='.length).split(',');
    expect(list).toContain('WebRtcHideLocalIpsWithMdns');
    for (const f of playwrightDisabledFeatures()) expect(list).toContain(f);
    for (const f of ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--headless=new', '--user-data-dir=/tmp/p', '--remote-debugging-port=0']) expect(args).toContain(f);
    if (process.getuid?.() === 0) expect(args).toContain('--no-sandbox');
  });

  it('launches, answers over raw CDP, and close() leaves no process and no profile behind', async () => {
    const dir = tempDir();
    const profileDir = path.join(dir, 'profile');
    const browser = await RawChromium.launch({ profileDir, headless: true, logPath: path.join(dir, 'browser.log') });
    browsers.push(browser);
    const version = await browser.client.send('Browser.getVersion', {});
    expect(version.product).toMatch(/Chrome\//);
    const argv = fs.readFileSync(`/proc/${browser.pid}/cmdline`, 'utf8').split('\0');
    for (const f of BACKGROUNDING_FLAGS) expect(argv, 'the real process got no background-throttling flag').not.toContain(f);
    expect(groupMembers(browser.pid).length).toBeGreaterThan(1);
    await browser.close();
    expect(groupMembers(browser.pid)).toEqual([]);
    expect(fs.existsSync(profileDir)).toBe(false);
    await browser.close(); // twice is fine
  });

  it('a browser that exits before printing its endpoint is ERR_CDP_ENDPOINT, with its log', async () => {
    const dir = tempDir();
    const before = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/bin/false';
    try {
      const err = await RawChromium.launch({ profileDir: path.join(dir, 'profile'), headless: true, logPath: path.join(dir, 'browser.log') }).catch((e: unknown) => e);
      expect((err as CdpError).code).toBe('ERR_CDP_ENDPOINT');
      expect((err as CdpError).message).toContain('exited first');
      expect((err as CdpError).message).toContain('raw-chromium log');
      expect(fs.existsSync(path.join(dir, 'profile'))).toBe(false);
    } finally {
      if (before === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = before;
    }
  });

  it('hides a tab covered by another one and throttles its timers (what TIME-2 relies on)', async () => {
    const dir = tempDir();
    const browser = await RawChromium.launch({ profileDir: path.join(dir, 'profile'), headless: true, logPath: path.join(dir, 'browser.log') });
    browsers.push(browser);
    const m = await probeBackgroundThrottling(browser);
    expect(m.events.map((e) => e.state), describeMeasurement(m)).toEqual(['visible', 'hidden']);
    expect(m.hidden).toBe(true);
    expect(m.hiddenChainMs, describeMeasurement(m)).toBeGreaterThanOrEqual(THROTTLED_CHAIN_MS);
  }, 60_000); // a throttled chain of ten timeouts alone takes ~10 s
});
