import fs from 'node:fs';
import path from 'node:path';
import { firefox, type BrowserContext } from '@playwright/test';
import { HarnessError } from '../errors.js';
import type { ResolvedBrowser } from './chromium-launch.js';

const SYSTEM_FIREFOX = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

/**
 * Playwright's own Firefox when installed (its Juggler protocol); else FIREFOX_PATH; else the
 * system's (Debian's firefox-esr), which Playwright drives over WebDriver BiDi (`moz-firefox`
 * channel). Stock Firefox needs the patch in patches/playwright-core+*.patch (see FIREFOX.md beside this file).
 */
export function resolveFirefox(env = process.env): ResolvedBrowser {
  if (env.FIREFOX_PATH) {
    if (!fs.existsSync(env.FIREFOX_PATH)) {
      throw new HarnessError('ERR_BROWSER_NOT_FOUND', `FIREFOX_PATH=${env.FIREFOX_PATH} does not exist`, { hint: 'Point FIREFOX_PATH at a Firefox binary, or unset it.' });
    }
    return { executablePath: env.FIREFOX_PATH, source: 'FIREFOX_PATH', engine: 'firefox' };
  }
  try {
    if (fs.existsSync(firefox.executablePath())) return { executablePath: undefined, source: 'playwright', engine: 'firefox' };
  } catch {
    // Playwright has no Firefox registry entry here; fall through.
  }
  const system = SYSTEM_FIREFOX.find((p) => fs.existsSync(p));
  if (system) return { executablePath: system, source: 'system', engine: 'firefox' };
  throw new HarnessError('ERR_BROWSER_NOT_FOUND', 'no Firefox found (Playwright’s own, FIREFOX_PATH, or /usr/bin/firefox-esr)', {
    hint: 'Run `npx playwright install firefox`, or `apt-get install -y firefox-esr`, or set FIREFOX_PATH.',
  });
}

/** Every Firefox preference the harness needs, in one place. */
export const HARNESS_FIREFOX_PREFS: Readonly<Record<string, boolean | number | string>> = {
  // Both peers and coturn live on 127.0.0.1: without this Firefox gathers no loopback candidates.
  'media.peerconnection.ice.loopback': true,
  // Host candidates must carry real addresses: mDNS names would need multicast to resolve.
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Background tabs must keep transferring (as --disable-renderer-backgrounding on Chromium).
  'dom.min_background_timeout_value': 4,
  'dom.timeout.enable_budget_timer_throttling': false,
  // Downloads land without a dialog (Playwright's BiDi setDownloadBehavior routes them; Juggler too).
  'browser.download.useDownloadDir': true,
  'browser.download.always_ask_before_handling_new_types': false,
};

/**
 * Playwright launches Firefox with MOZ_CRASHREPORTER_SHUTDOWN=1 (set after, and so over, any `env`
 * we pass), which makes Firefox shut itself down as soon as any content process dies: a crashed
 * tab would take the whole browser with it, and a tab crash (kill-tab-processes) would be a
 * browser kill. A user's Firefox shows "tab crashed" and keeps running, so the peer runs Firefox
 * through a two-line shell wrapper that unsets just that variable and `exec`s the real binary (same
 * PID, same command line: find-browser-pid.ts still finds it). The wrapper is written beside the
 * profile directory, so it goes with the test's work dir.
 */
export function keepOnTabCrashWrapper(executable: string, profileDir: string): string {
  const wrapper = path.join(path.dirname(profileDir), `firefox-keep-on-tab-crash-${path.basename(profileDir)}.sh`);
  fs.writeFileSync(wrapper, `#!/bin/sh\nunset MOZ_CRASHREPORTER_SHUTDOWN\nexec ${shellQuote(executable)} "$@"\n`, { mode: 0o700 });
  return wrapper;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Persistent-context launch of one Firefox peer: its own process on its own profile directory. */
export function launchFirefoxPeer(browser: ResolvedBrowser, profileDir: string, opts: { headless: boolean }): Promise<BrowserContext> {
  return firefox.launchPersistentContext(profileDir, {
    // Stock Firefox speaks WebDriver BiDi only; Playwright's own build speaks Juggler (no channel).
    channel: browser.source === 'playwright' ? undefined : 'moz-firefox',
    executablePath: keepOnTabCrashWrapper(browser.executablePath ?? firefox.executablePath(), profileDir),
    headless: opts.headless,
    firefoxUserPrefs: { ...HARNESS_FIREFOX_PREFS },
    acceptDownloads: true,
    viewport: { width: 900, height: 800 },
  });
}
