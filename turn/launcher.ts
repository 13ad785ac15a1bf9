import { execFile, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { HarnessError } from '../lib/errors.js';
import { createLogger } from '../lib/log.js';
import { netnsCommand } from '../lib/netns-command.js';
import type { ProbeReadyInNetns } from '../lib/netns-command.js';
import { ManagedProcess, waitFor } from '../lib/process/managed-process.js';
import { DEFAULT_TURN_HOST, DEFAULT_TURN_REALM, rejectedTurnOptions, turnConfigText, turnPaths, type TurnPaths } from './config.js';
import { iceServersFor, stunUri, turnUri, type IceServer, type TurnTransport } from './credentials.js';
import { stunBinding } from './stun-client.js';
import type { TurnEndpoint } from './types.js';

/**
 * Starts a coturn the harness owns: native `turnserver` if installed, else the coturn Docker
 * image, on free loopback ports with a per-run secret, and waits until it answers STUN.
 */

export type { TurnEndpoint } from './types.js';

export interface LaunchTurnOptions {
  host?: string;
  /** A second listening address: coturn then does RFC 5780 NAT behaviour discovery (see config.ts). */
  alternateHost?: string;
  /** 0 or undefined: pick a port free for both UDP and TCP. */
  port?: number;
  /** Inclusive; default is a random 200-port window in 40000-60000 that avoids `port`. */
  relayPortRange?: [number, number];
  /** static-auth-secret; default is random per launch. */
  secret?: string;
  realm?: string;
  /** Default is a fresh temp dir, removed by dispose(). A given dir is kept; only our files go. */
  workDir?: string;
  /** Path to turnserver; overrides TURNSERVER_PATH and PATH, and never falls back to Docker. */
  binary?: string;
  startTimeoutMs?: number;
  /** Where TURNSERVER_PATH and PATH are read from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
  /**
   * Run coturn inside this network namespace (`ip netns exec`, native coturn only), e.g. a
   * topology's hub listening on its serviceAddress. Readiness is then probed from inside the
   * namespace, and no port is checked or picked from here (this process sees another network):
   * the port defaults to 3478 and the relay window to NETNS_RELAY_PORT_RANGE.
   */
  netns?: string;
  /**
   * How readiness is probed from inside `netns` (required with it). The harness passes its
   * probeReadyInNetns (harness/netns/ready-in-netns.ts): the relay stands alone and imports no harness.
   */
  probeReadyInNetns?: ProbeReadyInNetns;
}

export interface TurnServer extends TurnEndpoint {
  readonly managed: true;
  /** PID of the current (or last) process: coturn itself, or the `docker run` client. */
  readonly pid: number;
  readonly workDir: string;
  readonly logPath: string;
  readonly runtime: 'native' | 'docker';
  /** Spawn-to-answering time of the last (re)start, for benchmarks and curiosity. */
  readonly lastStartupMs: number;
}

const NATIVE_START_TIMEOUT_MS = 10_000;
/** The first Docker start may pull the image. */
const DOCKER_START_TIMEOUT_MS = 120_000;
const PROBE_TIMEOUT_MS = 300;
const PROBE_INTERVAL_MS = 50;
const DOCKER_STOP_GRACE_SECONDS = 3;
const DOCKER_INFO_TIMEOUT_MS = 5_000;
/** Pinned minor so a new coturn release does not change behaviour under a test run. */
const COTURN_IMAGE = 'coturn/coturn:4.6';
const RELAY_WINDOW_PORTS = 200;
const RELAY_SEARCH_RANGE: [number, number] = [40_000, 60_000];
const PORT_PICK_ATTEMPTS = 20;
/** In a namespace of our own nothing else listens: the standard port and a fixed relay window. */
const NETNS_TURN_PORT = 3478;
export const NETNS_RELAY_PORT_RANGE: [number, number] = [49_160, 49_359];

const NOT_FOUND_HINT = 'apt-get install -y coturn (Debian/Ubuntu), brew install coturn, or run coturn yourself (see turn/README.md) and set TURN_URL and TURN_SECRET';
const START_HINT = 'Read the coturn log above. A port clash or a bad option are the usual causes; run the same turnserver -c <config> by hand to see it live.';

const log = createLogger('turn');
const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Finding coturn

type TurnRuntime = { kind: 'native'; binary: string } | { kind: 'docker' };

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  return (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name)).find(isExecutable);
}

function dockerWorks(env: NodeJS.ProcessEnv): boolean {
  // `docker info` talks to the daemon; the client alone (as in many CI images) is not enough.
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { env, timeout: DOCKER_INFO_TIMEOUT_MS, stdio: 'ignore' });
  return result.status === 0;
}

export function resolveTurnRuntime(binary: string | undefined, env: NodeJS.ProcessEnv = process.env): TurnRuntime {
  const explicit = binary ?? env.TURNSERVER_PATH;
  if (explicit) {
    const resolved = explicit.includes('/') ? explicit : findOnPath(explicit, env);
    if (resolved && isExecutable(resolved)) return { kind: 'native', binary: path.resolve(resolved) };
    const source = binary ? 'the binary option' : 'TURNSERVER_PATH';
    throw new HarnessError('ERR_TURN_NOT_FOUND', `no executable turnserver at ${explicit} (from ${source})`, {
      context: { path: explicit, source },
      hint: `Fix ${source}, or ${NOT_FOUND_HINT}`,
    });
  }
  const onPath = findOnPath('turnserver', env);
  if (onPath) return { kind: 'native', binary: onPath };
  if (dockerWorks(env)) return { kind: 'docker' };
  throw new HarnessError('ERR_TURN_NOT_FOUND', 'coturn is not installed: no turnserver on PATH, TURNSERVER_PATH is unset and no Docker daemon answers', {
    context: { PATH: env.PATH },
    hint: NOT_FOUND_HINT,
  });
}

// ---------------------------------------------------------------------------------------------
// Ports

async function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => { socket.close(); reject(err); });
    socket.bind(port, host, () => resolve(socket));
  });
}

async function listenTcp(host: string, port: number): Promise<net.Server> {
  const server = net.createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

async function closeAll(udp?: dgram.Socket, tcp?: net.Server): Promise<void> {
  await Promise.all([
    udp && new Promise<void>((r) => udp.close(() => r())),
    tcp && new Promise<void>((r) => tcp.close(() => r())),
  ]);
}

/** Which of UDP/TCP cannot bind `port` right now (empty when both can). */
async function busyTransports(host: string, port: number): Promise<TurnTransport[]> {
  const busy: TurnTransport[] = [];
  const udp = await bindUdp(host, port).catch(() => { busy.push('udp'); return undefined; });
  const tcp = await listenTcp(host, port).catch(() => { busy.push('tcp'); return undefined; });
  await closeAll(udp, tcp);
  return busy;
}

/**
 * coturn binds with SO_REUSEPORT and starts happily on a port someone else holds, silently
 * sharing its traffic (and our readiness probe could be answered by the other server), so check first.
 */
async function assertPortFree(host: string, port: number): Promise<void> {
  const busy = await busyTransports(host, port);
  if (busy.length > 0) {
    throw new HarnessError('ERR_TURN_START_FAILED', `port ${port} on ${host} is already in use (${busy.join(', ')})`, {
      context: { host, port, busy },
      hint: 'Another process (maybe a leftover coturn) holds it. Omit the port to get a free one, or end that process.',
    });
  }
}

async function pickFreePort(host: string): Promise<number> {
  for (let attempt = 0; attempt < PORT_PICK_ATTEMPTS; attempt++) {
    const udp = await bindUdp(host, 0);
    const port = udp.address().port;
    const tcp = await listenTcp(host, port).catch(() => undefined);
    await closeAll(udp, tcp);
    if (tcp) return port;
  }
  throw new HarnessError('ERR_TURN_START_FAILED', `found no port free for both UDP and TCP on ${host} in ${PORT_PICK_ATTEMPTS} tries`, { context: { host } });
}

/** A random relay window away from the listening port; a few sample ports are test-bound, not all 200. */
async function pickRelayRange(host: string, avoidPort: number): Promise<[number, number]> {
  let candidate: [number, number] = [RELAY_SEARCH_RANGE[0], RELAY_SEARCH_RANGE[0] + RELAY_WINDOW_PORTS - 1];
  for (let attempt = 0; attempt < PORT_PICK_ATTEMPTS; attempt++) {
    const start = randomInt(RELAY_SEARCH_RANGE[0], RELAY_SEARCH_RANGE[1] - RELAY_WINDOW_PORTS);
    candidate = [start, start + RELAY_WINDOW_PORTS - 1];
    if (avoidPort >= candidate[0] && avoidPort <= candidate[1]) continue;
    const samples = [candidate[0], start + RELAY_WINDOW_PORTS / 2, candidate[1]];
    const sockets = await Promise.all(samples.map((p) => bindUdp(host, p).catch(() => undefined)));
    await Promise.all(sockets.map((s) => closeAll(s)));
    if (sockets.every(Boolean)) return candidate;
  }
  // coturn skips relay ports it cannot bind, so a busy window only narrows what it can hand out.
  return candidate;
}

// ---------------------------------------------------------------------------------------------
// The server

interface ServerSpec {
  host: string;
  alternateHost: string | undefined;
  port: number;
  relayPortRange: [number, number];
  realm: string;
  secret: string;
  workDir: string;
  ownsWorkDir: boolean;
  paths: TurnPaths;
  runtime: TurnRuntime;
  startTimeoutMs: number;
  netns: string | undefined;
  probeReadyInNetns: ProbeReadyInNetns | undefined;
}

class LaunchedTurnServer implements TurnServer {
  readonly managed = true;
  readonly host: string;
  readonly port: number;
  readonly realm: string;
  readonly secret: string;
  readonly workDir: string;
  readonly logPath: string;
  readonly runtime: 'native' | 'docker';
  readonly urls: { udp: string; tcp: string; stun: string };
  lastStartupMs = 0;
  private proc: ManagedProcess | undefined;
  private containerName: string | undefined;
  private starts = 0;
  private disposed = false;

  constructor(private readonly spec: ServerSpec) {
    this.host = spec.host;
    this.port = spec.port;
    this.realm = spec.realm;
    this.secret = spec.secret;
    this.workDir = spec.workDir;
    this.logPath = spec.paths.logPath;
    this.runtime = spec.runtime.kind;
    this.urls = { udp: turnUri(this.host, this.port, 'udp'), tcp: turnUri(this.host, this.port, 'tcp'), stun: stunUri(this.host, this.port) };
  }

  get pid(): number {
    return this.proc?.pid ?? -1;
  }

  iceServers(user: string, ttlSeconds: number, transports?: TurnTransport[]): IceServer[] {
    return iceServersFor(this, { user, ttlSeconds, transports });
  }

  logTail(lines?: number): string {
    return this.proc?.logTail(lines) ?? '(not started)';
  }

  /** Spawns coturn and resolves once it answers STUN over UDP and TCP; on failure nothing is left running. */
  async start(): Promise<void> {
    if (this.disposed) throw new HarnessError('ERR_CONFIG', 'this TURN server was disposed', { hint: 'Launch a new one with launchTurnServer().' });
    if (this.proc?.running) return;
    // From the root namespace a port inside another namespace always looks free (and ours there are).
    if (this.spec.netns === undefined) await assertPortFree(this.host, this.port);
    this.starts += 1;
    const { command, args } = this.command();
    fs.appendFileSync(this.logPath, `\n[harness] start #${this.starts}: ${command} ${args.join(' ')}\n`);
    const proc = new ManagedProcess({ label: `turn:${this.port}`, command, args, logPath: this.logPath, cwd: this.workDir });
    this.proc = proc;
    const startedAt = performance.now();
    proc.start();
    try {
      await this.waitReady(proc);
    } catch (err) {
      const what = proc.running
        ? `did not answer STUN on udp+tcp ${this.host}:${this.port} within ${this.spec.startTimeoutMs} ms`
        : 'exited before it answered STUN';
      await this.forceKill(proc);
      throw proc.startError('ERR_TURN_START_FAILED', `coturn (${this.describeRuntime()}) ${what}`, START_HINT, err);
    }
    this.lastStartupMs = Math.round(performance.now() - startedAt);
    const rejection = this.configRejection(proc);
    if (rejection) {
      await this.forceKill(proc);
      throw rejection;
    }
    log(`ready on ${this.host}:${this.port} pid=${proc.pid} in ${this.lastStartupMs} ms`);
  }

  /** An error when coturn ran without an option that matters (see rejectedTurnOptions). */
  private configRejection(proc: ManagedProcess): HarnessError | undefined {
    const { essential, cosmetic } = rejectedTurnOptions(fs.readFileSync(this.logPath, 'utf8'));
    if (cosmetic.length > 0) log(`this coturn does not know ${cosmetic.join(', ')}; running without`);
    if (essential.length === 0) return undefined;
    return proc.startError('ERR_TURN_START_FAILED', `coturn (${this.describeRuntime()}) ignored config options it does not know: ${essential.join(', ')}`,
      'This coturn is too old or built without them; install coturn 4.6 (apt-get install -y coturn on Debian 12 / Ubuntu 24.04).');
  }

  private command(): { command: string; args: string[] } {
    const { runtime, paths } = this.spec;
    if (runtime.kind === 'native') {
      // `ip netns exec` execs coturn in place: the PID we record (and kill-turn SIGKILLs) is coturn's.
      return this.spec.netns === undefined ? { command: runtime.binary, args: ['-c', paths.configPath] } : netnsCommand(this.spec.netns, runtime.binary, ['-c', paths.configPath]);
    }
    // A fresh name per start: --rm removes the old container asynchronously and the name may still be taken.
    this.containerName = `webrtc-harness-turn-${process.pid}-${this.port}-${this.starts}`;
    const user = typeof process.getuid === 'function' ? ['--user', `${process.getuid()}:${process.getgid?.() ?? 0}`] : [];
    return {
      command: 'docker',
      // Host networking so coturn sees real loopback addresses; the work dir is mounted at the same path so the config's paths hold.
      args: ['run', '--rm', '--name', this.containerName, '--network', 'host', ...user, '-v', `${this.workDir}:${this.workDir}`, COTURN_IMAGE, '-c', paths.configPath],
    };
  }

  private describeRuntime(): string {
    return this.spec.runtime.kind === 'native' ? this.spec.runtime.binary : `docker ${COTURN_IMAGE}`;
  }

  private async waitReady(proc: ManagedProcess): Promise<void> {
    if (this.spec.netns !== undefined) return this.waitReadyInNetns(proc, this.spec.netns);
    let settled = false;
    const ready = waitFor(async () => {
      // Once the race below is decided, end the polling loop instead of probing a dead server until the deadline.
      if (settled) return 'abandoned';
      await stunBinding(this.host, this.port, 'udp', { timeoutMs: PROBE_TIMEOUT_MS });
      await stunBinding(this.host, this.port, 'tcp', { timeoutMs: PROBE_TIMEOUT_MS });
      return 'ready';
    }, { timeoutMs: this.spec.startTimeoutMs, intervalMs: PROBE_INTERVAL_MS, what: `coturn to answer STUN on ${this.host}:${this.port}` });
    const exited = proc.failOnExit();
    try {
      await Promise.race([ready, exited]);
    } finally {
      settled = true;
      // The loser of the race settles later (exit rejects whenever the server stops); that outcome is no longer news.
      ready.catch(() => undefined);
      exited.catch(() => undefined);
    }
  }

  /** The root namespace cannot reach a server in another one: the probe runs inside it. */
  private async waitReadyInNetns(proc: ManagedProcess, ns: string): Promise<void> {
    const probeReadyInNetns = this.spec.probeReadyInNetns;
    if (probeReadyInNetns === undefined) {
      throw new HarnessError('ERR_CONFIG', `coturn in network namespace ${ns} needs a readiness probe that runs inside it`, {
        context: { netns: ns },
        hint: 'Pass probeReadyInNetns (harness/netns/ready-in-netns.ts) with netns to launchTurnServer().',
      });
    }
    const probe = probeReadyInNetns(ns, { kind: 'stun', host: this.host, port: this.port }, this.spec.startTimeoutMs);
    const exited = proc.failOnExit();
    try {
      await Promise.race([probe.done, exited]);
    } finally {
      probe.cancel();
      probe.done.catch(() => undefined);
      exited.catch(() => undefined);
    }
  }

  private async forceKill(proc: ManagedProcess): Promise<void> {
    if (this.spec.runtime.kind === 'docker' && this.containerName) {
      // SIGKILL to the docker client would orphan the container; the daemon must kill it.
      await execFileAsync('docker', ['kill', this.containerName]).catch((err: unknown) => log(`docker kill ${this.containerName}: ${String(err)}`));
    }
    await proc.kill();
  }

  async kill(): Promise<void> {
    if (this.proc?.running) await this.forceKill(this.proc);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc?.running) return;
    if (this.spec.runtime.kind === 'docker' && this.containerName) {
      await execFileAsync('docker', ['stop', '--time', String(DOCKER_STOP_GRACE_SECONDS), this.containerName]).catch((err: unknown) => log(`docker stop ${this.containerName}: ${String(err)}`));
    }
    await proc.stop();
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.disposed) return;
    this.disposed = true;
    const targets = this.spec.ownsWorkDir ? [this.workDir] : Object.values(this.spec.paths);
    for (const target of targets) fs.rmSync(target, { recursive: true, force: true });
  }
}

export async function launchTurnServer(opts: LaunchTurnOptions = {}): Promise<TurnServer> {
  const env = opts.env ?? process.env;
  const runtime = resolveTurnRuntime(opts.binary, env);
  const host = opts.host ?? DEFAULT_TURN_HOST;
  const inNetns = opts.netns !== undefined;
  if (inNetns && runtime.kind !== 'native') {
    throw new HarnessError('ERR_CONFIG', `coturn can run in network namespace ${opts.netns} only as a native turnserver, not in Docker`, {
      context: { netns: opts.netns },
      hint: 'apt-get install -y coturn, or set TURNSERVER_PATH.',
    });
  }
  const port = opts.port || (inNetns ? NETNS_TURN_PORT : await pickFreePort(host));
  // Checked here as well as in start(), so that a port clash does not leave an empty temp dir behind.
  if (!inNetns) await assertPortFree(host, port);
  const relayPortRange = opts.relayPortRange ?? (inNetns ? NETNS_RELAY_PORT_RANGE : await pickRelayRange(host, port));
  const ownsWorkDir = opts.workDir === undefined;
  const workDir = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'webrtc-harness-turn-'));
  const spec: ServerSpec = {
    host,
    alternateHost: opts.alternateHost,
    port,
    relayPortRange,
    realm: opts.realm ?? DEFAULT_TURN_REALM,
    secret: opts.secret ?? randomBytes(16).toString('hex'),
    workDir,
    ownsWorkDir,
    paths: turnPaths(workDir),
    runtime,
    startTimeoutMs: opts.startTimeoutMs ?? (runtime.kind === 'docker' ? DOCKER_START_TIMEOUT_MS : NATIVE_START_TIMEOUT_MS),
    netns: opts.netns,
    probeReadyInNetns: opts.probeReadyInNetns,
  };
  try {
    fs.mkdirSync(workDir, { recursive: true });
    fs.writeFileSync(spec.paths.configPath, turnConfigText(spec), { mode: 0o600 });
  } catch (err) {
    if (ownsWorkDir) fs.rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
  const server = new LaunchedTurnServer(spec);
  // A failed start keeps the work dir: its log is what the error quotes, and the whole file may be needed.
  await server.start();
  return server;
}
