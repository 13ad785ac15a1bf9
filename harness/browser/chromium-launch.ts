import fs from 'node:fs';
import { chromium } from '@playwright/test';
import { HarnessError } from '../errors.js';
import type { BrowserEngine } from './engine.js';
import { playwrightDisabledFeatures } from './playwright-disabled-features.js';

/** Where each candidate browser comes from, in the order we try them. */
export interface ResolvedBrowser {
  executablePath: string | undefined;
  source: 'playwright' | 'CHROMIUM_PATH' | 'FIREFOX_PATH' | 'system';
  /** Absent means Chromium (what every launcher built before the Firefox matrix resolves). */
  engine?: BrowserEngine;
}

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Playwright's own Chromium when installed; else CHROMIUM_PATH; else the system's. */
export function resolveChromium(env = process.env): ResolvedBrowser {
  if (env.CHROMIUM_PATH) {
    if (!fs.existsSync(env.CHROMIUM_PATH)) {
      throw new HarnessError('ERR_BROWSER_NOT_FOUND', `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`, { hint: 'Point CHROMIUM_PATH at a Chromium binary, or unset it.' });
    }
    return { executablePath: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH', engine: 'chromium' };
  }
  try {
    if (fs.existsSync(chromium.executablePath())) return { executablePath: undefined, source: 'playwright', engine: 'chromium' };
  } catch {
    // Playwright has no browser registry entry here; fall through.
  }
  const system = SYSTEM_CHROMIUM.find((p) => fs.existsSync(p));
  if (system) return { executablePath: system, source: 'system', engine: 'chromium' };
  throw new HarnessError('ERR_BROWSER_NOT_FOUND', 'no Chromium found (Playwright’s own, CHROMIUM_PATH, or /usr/bin/chromium)', {
    hint: 'Run `npx playwright install chromium`, or `apt-get install -y chromium`, or set CHROMIUM_PATH.',
  });
}

/** Features we need off, merged with Playwright's own list into ONE flag (the last one wins). */
const HARNESS_DISABLED_FEATURES = [
  // Host candidates must carry real addresses: mDNS names would need multicast to resolve.
  'WebRtcHideLocalIpsWithMdns',
];

/** Every Chromium flag the harness needs, in one place. */
export function chromiumArgs(opts: { headless: boolean }, extraDisabledFeatures: string[] = []): string[] {
  const features = [...new Set([...playwrightDisabledFeatures(), ...HARNESS_DISABLED_FEATURES, ...extraDisabledFeatures])];
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
    // Background tabs must keep transferring: throttling is a fault to inject on purpose, never an
    // accident of which tab happens to be in front. TIME-2 injects it on a receiver launched
    // without this flag (harness/browser/raw-chromium.ts).
    '--disable-renderer-backgrounding',
    `--disable-features=${features.join(',')}`,
  ];
  // Headless has no screen to paint: software GL in the GPU process cost a third of a core per peer.
  if (opts.headless) args.push('--disable-gpu');
  // Chromium refuses to start its sandbox as root.
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  return args;
}
