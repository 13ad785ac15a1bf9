import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { HarnessError } from '../errors.js';
import { netnsCommand } from '../netns/exec.js';
import { answersInNetns } from '../netns/ready-in-netns.js';
import { ManagedProcess, waitFor } from '../process/managed-process.js';

/** tsx resolves from the cwd, so the server is started from the repo root. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI_PATH = path.join(REPO_ROOT, 'signaling', 'cli.ts');

const DEFAULT_HOST = '127.0.0.1';
/** Cold tsx start on a loaded CI machine takes a few seconds; more than this is a hang. */
const START_TIMEOUT_MS = 15_000;
const READY_POLL_INTERVAL_MS = 50;
const HEALTHZ_TIMEOUT_MS = 1_000;
/** After a kill the port is normally free at once; this covers a slow kernel or a straggler. */
const RESTART_PORT_RETRY_WINDOW_MS = 5_000;
const RESTART_PORT_RETRY_DELAY_MS = 200;
/** The one line the CLI prints when listening (signaling/cli.ts). */
const LISTENING_LINE = /^signaling listening on ws:\/\/\S+:(\d+) \(healthz /m;

export interface LaunchSignalingOptions {
  host?: string;
  /** 0 (the default) picks a free port on first start; restarts reuse it. */
  port?: number;
  /** stdout and stderr of every run are appended here. */
  logPath: string;
  heartbeatMs?: number;
  startTimeoutMs?: number;
  /**
   * Enables the server's chaos API under this key (passed as CHAOS_KEY in the child's env, not
   * on its command line, where `ps` would show it). At least 16 chars; see signaling/chaos-protocol.ts.
   */
  chaosKey?: string;
  /** A JSON config file for `--config` (limits, chaos settings…; see signaling/config.ts). Flags given here win over it. */
  configPath?: string;
  /**
   * Run the server inside this network namespace (`ip netns exec`; e.g. a topology's hub, with
   * `host` its serviceAddress). /healthz is then probed from inside that namespace. Give a port:
   * port 0 works too (the listening line names the port), but restarts must find it free there.
   */
  netns?: string;
}

export interface SignalingProcess {
  /** ws://host:port; stable across restarts. */
  readonly url: string;
  readonly httpUrl: string;
  readonly port: number;
  /** PID of the current run; changes on restart, undefined before the first start. */
  readonly pid: number | undefined;
  logTail(lines?: number): string;
  /** SIGKILL, for chaos: clients see the socket die with no going-away. */
  kill(): Promise<void>;
  /** SIGTERM (clients get going-away), SIGKILL if it lingers; waits for the exit. */
  terminate(): Promise<void>;
  /** Starts again on the same port, ending the current run first if there is one. */
  restart(): Promise<void>;
  /** Teardown: ends the process if it runs. Safe to call any number of times. */
  stop(): Promise<void>;
}

type Attempt = { ok: true; port: number } | { ok: false; why: string; portInUse: boolean; cause?: unknown };

function logSize(logPath: string): number {
  try {
    return fs.statSync(logPath).size;
  } catch {
    return 0;
  }
}

/** Only output written after `offset` counts: the log is appended to across restarts. */
function logSince(logPath: string, offset: number): string {
  try {
    return fs.readFileSync(logPath).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

/** A fresh connection each time (no agent), so no pooled socket from a killed run is reused. */
function healthy(httpUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${httpUrl}/healthz`, { agent: false, timeout: HEALTHZ_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** An IPv6 literal needs brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Is /healthz answering, asked from where the server's clients are. */
type HealthProbe = (httpUrl: string) => Promise<boolean>;

/** Starts one run and waits for its listening line and a healthy /healthz, or for it to exit. */
async function startOnce(proc: ManagedProcess, host: string, port: number, timeoutMs: number, isHealthy: HealthProbe): Promise<Attempt> {
  // A marker, so a log that spans kills and restarts reads as one run after another.
  fs.appendFileSync(proc.logPath, `--- [harness] ${new Date().toISOString()} starting signaling on ${host}:${port}\n`);
  const offset = logSize(proc.logPath);
  proc.start();
  const exited = proc.exited().then(() => 'exited' as const);
  const ready = waitFor(
    async () => {
      if (!proc.running) return 'exited' as const; // ends the poll; the race below has the news
      const match = LISTENING_LINE.exec(logSince(proc.logPath, offset));
      if (match === null) return undefined;
      const port = Number(match[1]);
      return (await isHealthy(`http://${urlHost(host)}:${port}`)) ? port : undefined;
    },
    { timeoutMs, intervalMs: READY_POLL_INTERVAL_MS, what: `signaling to listen (log ${proc.logPath})` },
  );
  // When the exit wins, the poll may still time out later; that rejection is already answered.
  ready.catch(() => undefined);
  let outcome: number | 'exited';
  try {
    outcome = await Promise.race([ready, exited]);
  } catch (err) {
    await proc.kill(); // hung, not dead: do not leave it behind
    return { ok: false, why: err instanceof HarnessError ? err.message : 'did not become ready', portInUse: false, cause: err };
  }
  if (outcome !== 'exited') return { ok: true, port: outcome };
  const exitCode = await proc.exited();
  return { ok: false, why: `exited early with code ${exitCode}`, portInUse: logSince(proc.logPath, offset).includes('ERR_PORT_IN_USE') };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs the signaling CLI as its own OS process, so tests can kill it like a real outage. */
export async function launchSignaling(opts: LaunchSignalingOptions): Promise<SignalingProcess> {
  const host = opts.host ?? DEFAULT_HOST;
  const timeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS;
  let port = opts.port ?? 0;
  const args = (): string[] => {
    const a = ['--import', 'tsx', CLI_PATH, '--host', host, '--port', String(port)];
    if (opts.configPath !== undefined) a.push('--config', opts.configPath);
    if (opts.heartbeatMs !== undefined) a.push('--heartbeat-ms', String(opts.heartbeatMs));
    return a;
  };
  // A CHAOS_KEY inherited from our own env must not enable the API behind the caller's back.
  const { CHAOS_KEY: _inherited, ...baseEnv } = process.env;
  const env: NodeJS.ProcessEnv = opts.chaosKey === undefined ? baseEnv : { ...baseEnv, CHAOS_KEY: opts.chaosKey };
  const { netns } = opts;
  // `ip netns exec` execs node in place, so the PID that kill-signaling SIGKILLs is the server's.
  const commandLine = () => (netns === undefined ? { command: process.execPath, args: args() } : netnsCommand(netns, process.execPath, args()));
  const isHealthy: HealthProbe = netns === undefined ? healthy : (httpUrl) => answersInNetns(netns, { kind: 'http', url: `${httpUrl}/healthz` });
  const newRun = (): ManagedProcess => new ManagedProcess({ label: 'signaling', ...commandLine(), env, cwd: REPO_ROOT, logPath: opts.logPath });
  let proc = newRun();

  const fail = (attempt: Extract<Attempt, { ok: false }>): HarnessError =>
    proc.startError(
      'ERR_SIGNALING_START_FAILED',
      `signaling on ${host}:${port} ${attempt.why}`,
      attempt.portInUse ? `port ${port} is taken by another process; pick another port or stop it` : 'see the signaling log above',
      attempt.cause,
    );

  const first = await startOnce(proc, host, port, timeoutMs, isHealthy);
  if (!first.ok) throw fail(first);
  // From here on the port is fixed: every restart must come back where the clients expect it.
  port = first.port;

  return {
    url: `ws://${urlHost(host)}:${port}`,
    httpUrl: `http://${urlHost(host)}:${port}`,
    port,
    get pid() {
      return proc.pid;
    },
    logTail: (lines) => proc.logTail(lines),
    kill: () => proc.kill(),
    terminate: () => proc.stop(),
    stop: () => proc.stop(),
    async restart() {
      await proc.stop();
      proc = newRun(); // args now carry the fixed port, even if the first run asked for port 0
      const deadline = Date.now() + RESTART_PORT_RETRY_WINDOW_MS;
      for (;;) {
        const attempt = await startOnce(proc, host, port, timeoutMs, isHealthy);
        if (attempt.ok) return;
        if (!attempt.portInUse || Date.now() > deadline) throw fail(attempt);
        await sleep(RESTART_PORT_RETRY_DELAY_MS);
      }
    },
  };
}
