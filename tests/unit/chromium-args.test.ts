import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumArgs, resolveChromium } from '../../harness/browser/chromium-launch.js';
import { findBrowserPid } from '../../harness/browser/find-browser-pid.js';
import { playwrightDisabledFeatures } from '../../harness/browser/playwright-disabled-features.js';

describe('Chromium flags', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('reads Playwright’s own disabled-features list', () => {
    const features = playwrightDisabledFeatures();
    expect(features.length).toBeGreaterThan(5);
    expect(features).toContain('PaintHolding');
  });

  it('the launched browser gets ONE --disable-features with Playwright’s list and ours', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-args-'));
    dirs.push(dir);
    const { executablePath } = resolveChromium();
    const ctx = await chromium.launchPersistentContext(dir, { executablePath, headless: true, args: chromiumArgs({ headless: true }) });
    try {
      const pid = findBrowserPid(dir);
      expect(pid, 'browser pid found from its profile dir').toBeDefined();
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const flags = argv.filter((a) => a.startsWith('--disable-features='));
      // Chromium honours the last one only: it must hold everything.
      const last = flags[flags.length - 1]!.slice('--disable-features='.length).split(',');
      expect(last).toContain('WebRtcHideLocalIpsWithMdns');
      for (const f of playwrightDisabledFeatures()) expect(last).toContain(f);
    } finally {
      await ctx.close();
    }
  });
});
