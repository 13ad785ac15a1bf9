import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

import type { ResolvedBrowser } from '../browser/chromium-launch.js';

/** POSIX sh single quotes take everything literally except the quote itself. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Writes an executable script that starts Chromium inside namespace `ns`, and returns its path,
 * for Playwright's `executablePath`. Playwright drives the browser over a pipe on fds 3 and 4;
 * `exec` and `ip netns exec` both keep inherited fds and the PID, so Playwright still talks to,
 * and later ends, the real browser. Chromium cannot be moved into a namespace once it runs.
 */
export function chromiumWrapperFor(ns: string, realChromiumPath: string, dir: string, extraArgs: readonly string[] = []): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `chromium-in-${ns}.sh`);
  // Extra flags go before Playwright's own, so they cannot displace its --disable-features list (the last one wins).
  const extra = extraArgs.map((a) => `${shellQuote(a)} `).join('');
  const script = [
    '#!/bin/sh',
    `# Written by harness/netns/chromium-in-netns.ts: runs Chromium in network namespace ${ns}.`,
    `exec ip netns exec ${shellQuote(ns)} ${shellQuote(realChromiumPath)} ${extra}"$@"`,
    '',
  ].join('\n');
  fs.writeFileSync(file, script, { mode: 0o755 });
  fs.chmodSync(file, 0o755); // writeFileSync's mode applies only when it creates the file
  return file;
}

/**
 * The same browser, started inside `ns`: pass the result to Peer.launch() (harness/browser/peer.ts)
 * or to chromium.launchPersistentContext's executablePath unchanged. `extraArgs` are Chromium
 * flags the launcher does not know about (e.g. `--unsafely-treat-insecure-origin-as-secure=…`
 * for an app served over plain http on a namespace address), added by the wrapper.
 */
export function browserInNetns(browser: ResolvedBrowser, ns: string, dir: string, extraArgs: readonly string[] = []): ResolvedBrowser {
  const real = browser.executablePath ?? chromium.executablePath();
  return { ...browser, executablePath: chromiumWrapperFor(ns, real, dir, extraArgs) };
}
