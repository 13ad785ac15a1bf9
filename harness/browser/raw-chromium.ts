import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { forgetPid, recordPid } from '../process/pid-registry.js';
import { createLogger } from '../log.js';
import { chromiumArgs, resolveChromium } from './chromium-launch.js';
import { CdpError, RawCdpClient, parseDevToolsUrl } from './raw-cdp-client.js';

const ENDPOINT_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
/** How long Chromium's helper processes get to be reaped after a SIGKILL of their group. */
const GROUP_EXIT_TIMEOUT_MS = 5_000;
const LOG_TAIL_LINES = 40;

/**
 * Flags that keep a background page running at full speed. A raw browser exists to be throttled
 * like a user's, so none of them may reach it, whoever adds them to the shared list later.
 * (Playwright adds the first three to every browser it launches; chromium-launch.ts the last.)
 */
export const BACKGROUNDING_FLAGS = [
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
  '--disable-ipc-flooding-protection',
] as const;

/**
 * The harness's Chromium flags (chromium-launch.ts: --no-sandbox as root, no background
 * networking, one combined --disable-features list…) minus BACKGROUNDING_FLAGS, plus what a
 * browser without Playwright needs: its own profile, headless mode, and a DevTools port chosen
 * by the OS (printed on stderr).
 */
export function rawChromiumArgs(opts: { headless: boolean; profileDir: string }): string[] {
  const blocked: readonly string[] = BACKGROUNDING_FLAGS;
  const shared = chromiumArgs({ headless: opts.headless }).filter((a) => !blocked.includes(a));
  return [
    ...shared,
    ...(opts.headless ? ['--headless=new'] : []),
    `--user-data-dir=${opts.profileDir}`,
    '--remote-debugging-port=0',
    '--no-default-browser-check',
    'about:blank',
  ];
}

function executablePath(): string {
  const resolved = resolveChromium();
  return resolved.executablePath ?? chromium.executablePath();
}

/**
 * One Chromium process the harness launched itself, with no Playwright attached, driven over raw
 * CDP. `close()` ends it by its PID and removes its profile dir; it is safe to call twice and is
 * meant for a fixture's teardown.
 */
export class RawChromium {
  private readonly log;
  private exit: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly client: RawCdpClient,
    readonly profileDir: string,
    readonly logPath: string,
    /** The executable the browser process really runs (after a wrapper script's exec). */
    private readonly realExe: string | undefined,
  ) {
    this.log = createLogger('raw-chromium', String(child.pid));
    this.exit = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async launch(opts: { profileDir: string; headless: boolean; logPath: string; timeoutMs?: number }): Promise<RawChromium> {
    fs.mkdirSync(opts.profileDir, { recursive: true });
    const exe = executablePath();
    const args = rawChromiumArgs({ headless: opts.headless, profileDir: opts.profileDir });
    const logFd = fs.openSync(opts.logPath, 'a');
    fs.writeSync(logFd, `[harness] ${exe} ${args.join(' ')}\n`);
    // stdout to the log; stderr piped so the DevTools line can be read, then copied to the log.
    // Detached: the browser leads its own process group, so close() can end its helpers too.
    const child = spawn(exe, args, { stdio: ['ignore', logFd, 'pipe'], detached: true });
    fs.closeSync(logFd);
    if (child.pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new CdpError('ERR_CDP_ENDPOINT', `could not start ${exe}: ${err.message}`, { hint: 'Set CHROMIUM_PATH to a Chromium binary.', cause: err });
    }
    recordPid(child.pid, 'raw-chromium');
    child.once('exit', () => forgetPid(child.pid!));
    const tail = () => readTail(opts.logPath);
    let wsUrl: string;
    try {
      wsUrl = await readEndpoint(child, opts.logPath, opts.timeoutMs ?? ENDPOINT_TIMEOUT_MS);
    } catch (err) {
      await killAndWait(child, exeOf(child.pid));
      fs.rmSync(opts.profileDir, { recursive: true, force: true, maxRetries: 3 });
      throw new CdpError('ERR_CDP_ENDPOINT', `${exe} printed no DevTools endpoint: ${(err as Error).message}\n--- raw-chromium log (${opts.logPath}) ---\n${tail()}`, {
        context: { pid: child.pid, logPath: opts.logPath },
        hint: 'Check that this Chromium supports --headless=new and --remote-debugging-port.',
        cause: err,
      });
    }
    // Read now, while the browser runs: /usr/bin/chromium is a script that execs the real binary.
    const realExe = exeOf(child.pid);
    let client: RawCdpClient;
    try {
      client = await RawCdpClient.connect(wsUrl);
    } catch (err) {
      await killAndWait(child, realExe);
      fs.rmSync(opts.profileDir, { recursive: true, force: true, maxRetries: 3 });
      throw err;
    }
    return new RawChromium(child, client, opts.profileDir, opts.logPath, realExe);
  }

  logTail(lines = LOG_TAIL_LINES): string {
    return readTail(this.logPath, lines);
  }

  /** Closes the CDP connection, ends the browser by its PID (SIGTERM, then SIGKILL), removes the profile. */
  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
    if (this.running) {
      this.log('SIGTERM');
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        this.log('SIGKILL after grace');
        this.child.kill('SIGKILL');
      }, STOP_GRACE_MS);
      await this.exit;
      clearTimeout(timer);
    }
    await endProcessGroup(this.pid, this.realExe);
    fs.rmSync(this.profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

/** Reads stderr until Chromium prints its DevTools URL; everything is copied to the log. */
function readEndpoint(child: ChildProcess, logPath: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`nothing after ${timeoutMs} ms`)), timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      fs.appendFileSync(logPath, chunk);
      if (seen.length < 64 * 1024) seen += chunk.toString();
      const url = parseDevToolsUrl(seen);
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`it exited first (code ${code}, signal ${signal})`));
    });
  });
}

async function killAndWait(child: ChildProcess, exe: string | undefined): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await endProcessGroup(child.pid!, exe);
}

/**
 * Chromium's helpers (zygotes, GPU, network and storage services, renderers) outlive the browser
 * process for a moment, and the storage service still writes to the profile then. They are all in
 * the process group the browser leads (spawned `detached`, so the group is the PID we started).
 * Each is SIGKILLed by its own PID, and only if it runs the browser's own executable — never a
 * stranger that might have inherited a reused group id. Resolves once none is left.
 */
async function endProcessGroup(pgid: number, exe: string | undefined): Promise<void> {
  if (exe === undefined) return;
  const deadline = Date.now() + GROUP_EXIT_TIMEOUT_MS;
  for (;;) {
    const left = groupMembers(pgid).filter((pid) => exeOf(pid) === exe);
    if (left.length === 0 || Date.now() > deadline) return;
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** PIDs whose process group is `pgid` (Linux /proc; empty elsewhere). */
function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const e of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pgid) members.push(Number(e));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

function exeOf(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

function readTail(logPath: string, lines = LOG_TAIL_LINES): string {
  try {
    return fs.readFileSync(logPath, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function rawProfileDirFor(workDir: string, name: string): string {
  return path.join(workDir, `raw-profile-${name}`);
}
