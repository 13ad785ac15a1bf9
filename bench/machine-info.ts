import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { chromium, firefox as playwrightFirefox } from '@playwright/test';
import type { ResolvedBrowser } from '../harness/browser/chromium-launch.js';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memTotalMiB: number;
  os: string;
  node: string;
  chromium: string;
  chromiumPath: string;
  /** Firefox's `--version`, when a pair with Firefox is measured. */
  firefox?: string;
  firefoxPath?: string;
  playwright: string;
  /** 1/5/15-minute load averages when the bench started: others' work on the machine skews every figure. */
  loadAvgAtStart: number[];
}

/** `<browser> --version` (Chromium and Firefox both print it on stdout). */
function browserVersion(executable: string): string {
  try {
    // Debian's /usr/bin/chromium is a shell wrapper that chatters on stderr; the version is on stdout.
    return execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch (err) {
    return `unknown (${String(err)})`;
  }
}

/** Playwright's own Firefox (resolveFirefox leaves executablePath unset for it). */
function firefoxDefaultPath(): string {
  return playwrightFirefox.executablePath();
}

function playwrightVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../node_modules/@playwright/test/package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export function machineInfo(browser: ResolvedBrowser, firefox?: ResolvedBrowser): MachineInfo {
  const chromiumPath = browser.executablePath ?? chromium.executablePath();
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memTotalMiB: Math.round(os.totalmem() / 1024 / 1024),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: browserVersion(chromiumPath),
    chromiumPath,
    ...(firefox && { firefox: browserVersion(firefox.executablePath ?? firefoxDefaultPath()), firefoxPath: firefox.executablePath ?? firefoxDefaultPath() }),
    playwright: playwrightVersion(),
    loadAvgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
