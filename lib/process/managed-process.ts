import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

import { HarnessError, type HarnessErrorCode } from '../errors.js';
import { createLogger } from '../log.js';
import { forgetPid, recordPid } from './pid-registry.js';

const STOP_GRACE_MS = 3_000;
const LOG_TAIL_LINES = 40;

export interface ManagedProcessOptions {
  label: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here, so a later failure can quote the tail. */
  logPath: string;
}

/**
 * A child process the harness owns: started by us, logged to a file, ended by its PID only.
 */
export class ManagedProcess {
  readonly label: string;
  readonly logPath: string;
  private child: ChildProcess | undefined;
  private exitPromise: Promise<number | null> | undefined;
  private readonly log;

  constructor(private readonly opts: ManagedProcessOptions) {
    this.label = opts.label;
    this.logPath = opts.logPath;
    this.log = createLogger('process', opts.label);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.label} is already running (pid ${this.pid})`);
    const out = fs.openSync(this.opts.logPath, 'a');
    const child = spawn(this.opts.command, this.opts.args, {
      cwd: this.opts.cwd,
      env: this.opts.env ?? process.env,
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.child = child;
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.log(`exited code=${code} signal=${signal}`);
        if (child.pid) forgetPid(child.pid);
        resolve(code);
      });
      child.once('error', (err) => {
        fs.appendFileSync(this.opts.logPath, `\n[harness] spawn error: ${err.message}\n`);
        resolve(null);
      });
    });
    if (child.pid) {
      recordPid(child.pid, this.label);
      this.log(`started pid=${child.pid}: ${this.opts.command} ${this.opts.args.join(' ')}`);
    }
  }

  /** Resolves when the process has exited (immediately when it is not running). */
  async exited(): Promise<number | null> {
    return this.exitPromise ?? null;
  }

  /** Sends a signal to our own child, by PID. */
  signal(sig: NodeJS.Signals): void {
    if (this.running && this.child?.pid) process.kill(this.child.pid, sig);
  }

  /** SIGKILL, and wait for the exit to be reaped. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGKILL');
    await this.exitPromise;
  }

  /** SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  logTail(lines = LOG_TAIL_LINES): string {
    try {
      return fs.readFileSync(this.opts.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** An error for a start that failed, quoting the tail of the process log. */
  startError(code: HarnessErrorCode, message: string, hint: string, cause?: unknown): HarnessError {
    return new HarnessError(code, `${message}\n--- ${this.label} log (${this.logPath}) ---\n${this.logTail()}`, {
      context: { pid: this.pid, logPath: this.logPath },
      hint,
      cause,
    });
  }

  /** Rejects as soon as the process exits: race it against a readiness probe. */
  async failOnExit(): Promise<never> {
    const exitCode = await this.exitPromise;
    throw new Error(`${this.label} exited early with code ${exitCode}`);
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, opts: { timeoutMs: number; intervalMs?: number; what: string }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
  throw new HarnessError('ERR_TIMEOUT', `timed out after ${opts.timeoutMs} ms waiting for ${opts.what}`, { cause: lastError });
}

