/**
 * Signaling server load bench: `node --import tsx bench/signaling-bench.ts`.
 *
 * Starts the server as its own process, then for 100, 500 and 2000 concurrent ws clients over
 * loopback (rooms of 2) relays offer/answer + trickle-ICE candidate bursts for a fixed time and
 * reports delivered messages/s, relay latency percentiles and the server's RSS. A last phase
 * floods the server from a few abusive clients while well-behaved ones keep going, to show the
 * rate limits hold under load. Prints a table and writes reports/signaling-bench.json.
 *
 * Bounded: fixed counts and durations, a hard deadline, and every socket and the server process
 * are closed on the way out (also on Ctrl-C).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { WebSocket } from 'ws';

import { launchSignaling, type SignalingProcess } from '../harness/servers/signaling-process.js';
import { DEFAULT_LIMITS, type SignalingLimits } from '../signaling/limits.js';
import type { ServerMessage } from '../signaling/protocol.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const REPORT_PATH = path.join(REPO_ROOT, 'reports', 'signaling-bench.json');

const LEVELS = [100, 500, 2_000] as const;
/** How long each level relays for. */
const RUN_MS = 5_000;
/** Every pair's initiator starts a round this often: offer (or answer) + candidates, each way. */
const ROUND_MS = 500;
const MESSAGES_PER_BURST = 20;
/** After the senders stop, how long stragglers may still arrive. */
const DRAIN_MS = 3_000;
const CONNECT_CONCURRENCY = 100;
const FLOOD_WELL_BEHAVED_CLIENTS = 100;
const FLOOD_BASELINE_MS = 3_000;
const FLOOD_WINDOW_MS = 4_000;
const FLOODERS = 3;
/** Frames a flooder queues per event-loop turn, until it is closed or the phase ends. */
const FLOOD_FRAMES_PER_TURN = 500;
const BENCH_DEADLINE_MS = 115_000;
/** Not measured: lets the server's JIT warm up, so the first level is not a cold start. */
const WARMUP_MS = 2_000;
/** A p99 under load this much above the unloaded one still counts as "bounded". */
const FLOOD_P99_BOUND_MS = 250;

/**
 * All bench clients come from 127.0.0.1, which the per-IP limits are built to stop: those alone
 * are lifted. Per-socket limits (the ones a real peer meets) stay at their defaults, and each
 * client sends 40 frames/s, inside the default 50/s.
 */
const BENCH_LIMITS: Partial<SignalingLimits> = {
  maxConnectionsPerIp: 10_000,
  joinsPerSecondPerIp: 100_000,
  joinBurstPerIp: 100_000,
};

interface SignalData {
  k: 'offer' | 'answer' | 'cand';
  /** performance.now() at send, in this process: the same clock reads it on arrival. */
  t: number;
}

interface LevelResult {
  clients: number;
  pairs: number;
  /** What the clients would send if every round kept its ROUND_MS pace. */
  targetPerSecond: number;
  sent: number;
  delivered: number;
  /** Sent but not arrived by the end of the drain. */
  undelivered: number;
  deliveredPerSecond: number;
  /** CPU used over the run, in % of one core: the server process, and this process (all the clients). */
  serverCpuPercent: number;
  clientsCpuPercent: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  serverRssMiB: number;
  errors: Record<string, number>;
  connectMs: number;
}

interface FlooderResult {
  kind: 'ping flood' | 'join/leave flood';
  /** The flooder reconnects whenever it is closed, for the whole flood window. */
  connections: number;
  framesQueued: number;
  rateLimitedErrors: number;
  /** How each of its connections ended. */
  closeCodes: Record<string, number>;
  /** From the first frame of a connection to its close, median over its connections. */
  medianMsToClose: number;
}

interface FloodResult {
  /** The same 100 well-behaved clients, before the flood and during it. */
  calm: LevelResult;
  underFlood: LevelResult;
  flooders: FlooderResult[];
  rateLimitsHeld: boolean;
}

let server: SignalingProcess | undefined;
const openSockets = new Set<WebSocket>();

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const CLOCK_TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds the server process has used (user + system), from /proc; NaN elsewhere. */
function serverCpuSeconds(): number {
  try {
    const stat = fs.readFileSync(`/proc/${server?.pid}/stat`, 'utf8');
    // Fields after the `(comm)`, which may itself hold spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

interface CpuMark {
  atMs: number;
  server: number;
  own: number;
}

function cpuMark(): CpuMark {
  return { atMs: performance.now(), server: serverCpuSeconds(), own: ownCpuSeconds() };
}

function cpuPercent(from: CpuMark, to: CpuMark): { server: number; own: number } {
  const seconds = (to.atMs - from.atMs) / 1000;
  return { server: Math.round(((to.server - from.server) / seconds) * 100), own: Math.round(((to.own - from.own) / seconds) * 100) };
}

function serverRssMiB(): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${server?.pid}/status`, 'utf8'));
    return kb === null ? Number.NaN : round1(Number(kb[1]) / 1024);
  } catch {
    return Number.NaN;
  }
}

/** A lean client: no history, just counters and the latency samples. */
class BenchClient {
  readonly ws: WebSocket;
  onSignal: (data: SignalData) => void = () => {};
  onError: (msg: Extract<ServerMessage, { type: 'error' }>) => void = () => {};
  closeCode: number | undefined;
  closedAt: number | undefined;
  private welcomed: (() => void) | undefined;
  private readonly opened: Promise<void>;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    openSockets.add(this.ws);
    this.opened = new Promise<void>((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.opened.catch(() => undefined); // answered where join() awaits it
    this.ws.on('error', () => {});
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.closedAt = performance.now();
      openSockets.delete(this.ws);
    });
    this.ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as ServerMessage;
      if (msg.type === 'signal') this.onSignal(msg.data as SignalData);
      else if (msg.type === 'error') this.onError(msg);
      else if (msg.type === 'welcome') this.welcomed?.();
    });
  }

  async join(room: string, peerId: string, token: string): Promise<void> {
    await this.opened;
    const welcomed = new Promise<void>((resolve, reject) => {
      this.welcomed = resolve;
      const onError = this.onError;
      this.onError = (msg) => {
        if (msg.inReplyTo === 'join') reject(new Error(`join ${room} refused: ${msg.code}: ${msg.message}`));
        onError(msg);
      };
      setTimeout(() => reject(new Error(`no welcome to ${room} within 10 s`)), 10_000).unref();
    });
    this.ws.send(JSON.stringify({ type: 'join', room, peerId, token }));
    await welcomed;
  }

  signal(to: string, k: SignalData['k']): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'signal', to, data: { k, t: performance.now() } }));
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * Relays between pairs, closed loop: the initiator sends a burst (offer + candidates), the
 * responder answers the offer with its own burst (answer + candidates), and the initiator starts
 * the next round once the whole answer burst is in and ROUND_MS has passed since the last start.
 * So each pair has at most two bursts in flight: past the server's capacity the rounds slow down
 * (delivered msg/s falls short of the target) instead of an ever-growing queue inflating latency.
 */
class PairTraffic {
  sent = 0;
  delivered = 0;
  latencies: number[] = [];
  readonly errors = new Map<string, number>();
  lastDeliveryAt = 0;
  private running = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** One per pair: starts its next round. */
  private readonly starters: Array<() => void> = [];

  constructor(pairs: Array<[BenchClient, BenchClient]>) {
    for (const [a, b] of pairs) {
      for (const c of [a, b]) c.onError = (msg) => this.errors.set(msg.code, (this.errors.get(msg.code) ?? 0) + 1);
      let answerBurst = 0;
      let roundStartedAt = 0;
      const startRound = (): void => {
        if (!this.running) return;
        roundStartedAt = performance.now();
        answerBurst = 0;
        this.burst(a, 'b', 'offer');
      };
      a.onSignal = (d) => {
        this.record(d);
        if (++answerBurst < MESSAGES_PER_BURST) return;
        const wait = Math.max(0, roundStartedAt + ROUND_MS - performance.now());
        this.later(startRound, wait);
      };
      b.onSignal = (d) => {
        this.record(d);
        if (d.k === 'offer') this.burst(b, 'a', 'answer');
      };
      this.starters.push(startRound);
    }
  }

  start(): void {
    this.running = true;
    // Staggered, so the rounds spread over the interval instead of landing all at once.
    this.starters.forEach((startRound, i) => this.later(startRound, (i / this.starters.length) * ROUND_MS));
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private burst(from: BenchClient, to: string, first: 'offer' | 'answer'): void {
    if (from.ws.readyState !== WebSocket.OPEN) return;
    from.signal(to, first);
    for (let i = 1; i < MESSAGES_PER_BURST; i++) from.signal(to, 'cand');
    this.sent += MESSAGES_PER_BURST;
  }

  private record(d: SignalData): void {
    const now = performance.now();
    this.delivered++;
    this.lastDeliveryAt = now;
    this.latencies.push(now - d.t);
  }

  /** Waits until every sent message arrived, or DRAIN_MS passed. */
  async drain(): Promise<void> {
    const deadline = Date.now() + DRAIN_MS;
    while (this.delivered < this.sent && Date.now() < deadline) await sleep(50);
  }
}

async function connectPairs(url: string, clients: number, tag: string): Promise<Array<[BenchClient, BenchClient]>> {
  const pairs: Array<[BenchClient, BenchClient]> = [];
  for (let i = 0; i < clients / 2; i += CONNECT_CONCURRENCY / 2) {
    const batch = Array.from({ length: Math.min(CONNECT_CONCURRENCY / 2, clients / 2 - i) }, async (_, j): Promise<[BenchClient, BenchClient]> => {
      const room = `${tag}-${i + j}`;
      const token = `token-${room}`;
      const a = new BenchClient(url);
      const b = new BenchClient(url);
      await a.join(room, 'a', token);
      await b.join(room, 'b', token);
      return [a, b];
    });
    pairs.push(...(await Promise.all(batch)));
  }
  return pairs;
}

async function closeAll(clients: BenchClient[]): Promise<void> {
  for (const c of clients) c.close();
  // Wait until the server has let them all go, so the next level starts from an empty server.
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const health = (await (await fetch(`${server!.httpUrl}/healthz`)).json()) as { connections: number };
    if (health.connections === 0) return;
    await sleep(100);
  }
}

/** What one measured window saw. */
interface Sample {
  latencies: number[];
  sent: number;
  delivered: number;
  errors: Map<string, number>;
  seconds: number;
}

function summarise(clients: number, sample: Sample, connectMs: number, rssMiB: number, cpu: { server: number; own: number }): LevelResult {
  const sorted = Float64Array.from(sample.latencies).sort();
  return {
    clients,
    pairs: clients / 2,
    targetPerSecond: Math.round((clients * MESSAGES_PER_BURST * 1000) / ROUND_MS),
    sent: sample.sent,
    delivered: sample.delivered,
    undelivered: sample.sent - sample.delivered,
    deliveredPerSecond: Math.round(sample.delivered / sample.seconds),
    serverCpuPercent: cpu.server,
    clientsCpuPercent: cpu.own,
    p50Ms: round1(percentile(sorted, 50)),
    p95Ms: round1(percentile(sorted, 95)),
    p99Ms: round1(percentile(sorted, 99)),
    maxMs: round1(sorted.at(-1) ?? Number.NaN),
    serverRssMiB: rssMiB,
    errors: Object.fromEntries(sample.errors),
    connectMs: Math.round(connectMs),
  };
}

async function runLevel(clients: number, runMs = RUN_MS): Promise<LevelResult> {
  const connectStart = performance.now();
  const pairs = await connectPairs(server!.url, clients, `L${clients}-${Math.round(connectStart)}`);
  const connectMs = performance.now() - connectStart;
  const traffic = new PairTraffic(pairs);
  const startedAt = performance.now();
  const cpuStart = cpuMark();
  traffic.start();
  await sleep(runMs);
  const rssMiB = serverRssMiB();
  const cpu = cpuPercent(cpuStart, cpuMark());
  traffic.stop();
  await traffic.drain();
  await closeAll(pairs.flat());
  const seconds = (traffic.lastDeliveryAt - startedAt) / 1000;
  const sample: Sample = { latencies: traffic.latencies, sent: traffic.sent, delivered: traffic.delivered, errors: traffic.errors, seconds };
  return summarise(clients, sample, connectMs, rssMiB, cpu);
}

const WINDOW_ENDED = 'window ended first';

/** Sends as fast as it can; whenever the server closes it, it reconnects and goes on, until `untilMs`. */
async function flooder(kind: FlooderResult['kind'], index: number, untilMs: number): Promise<FlooderResult> {
  const result: FlooderResult = { kind, connections: 0, framesQueued: 0, rateLimitedErrors: 0, closeCodes: {}, medianMsToClose: Number.NaN };
  const msToClose: number[] = [];
  while (performance.now() < untilMs) {
    const c = new BenchClient(server!.url);
    result.connections++;
    c.onError = (msg) => {
      if (msg.code === 'ERR_RATE_LIMITED') result.rateLimitedErrors++;
    };
    await c.join(`flood-${index}`, 'f', 'flood-token');
    const startedAt = performance.now();
    let queued = 0;
    while (c.ws.readyState === WebSocket.OPEN && performance.now() < untilMs) {
      queued += FLOOD_FRAMES_PER_TURN;
      for (let i = 0; i < FLOOD_FRAMES_PER_TURN; i++) {
        if (kind === 'ping flood') c.ws.send('{"type":"ping","id":1}');
        else c.ws.send(i % 2 === 0 ? '{"type":"leave"}' : `{"type":"join","room":"flood-${index}","peerId":"f","token":"flood-token"}`);
      }
      result.framesQueued += FLOOD_FRAMES_PER_TURN;
      await new Promise((resolve) => setImmediate(resolve));
    }
    while (c.closeCode === undefined && performance.now() < untilMs + 2_000) await sleep(10);
    // A connection the window cut short may not have sent enough to be closed yet: not a miss.
    const cutShort = queued < DEFAULT_LIMITS.messageBurst + DEFAULT_LIMITS.rateLimitStrikes + 1;
    const code = c.closeCode === undefined ? (cutShort ? WINDOW_ENDED : 'still open') : String(c.closeCode);
    result.closeCodes[code] = (result.closeCodes[code] ?? 0) + 1;
    if (c.closedAt !== undefined) msToClose.push(c.closedAt - startedAt);
    c.close();
  }
  msToClose.sort((a, b) => a - b);
  result.medianMsToClose = Math.round(msToClose[Math.floor(msToClose.length / 2)] ?? Number.NaN);
  return result;
}

async function runFlood(baselineWindowMs: number, floodWindowMs: number): Promise<FloodResult> {
  const pairs = await connectPairs(server!.url, FLOOD_WELL_BEHAVED_CLIENTS, 'calm');
  const traffic = new PairTraffic(pairs);
  traffic.start();
  await sleep(500); // settle into the rhythm
  const calmFrom = traffic.latencies.length;
  const calmCpu = cpuMark();
  const calmDelivered = traffic.delivered;
  await sleep(baselineWindowMs);
  const floodFrom = traffic.latencies.length;
  const floodCpu = cpuMark();
  const floodDeliveredFrom = traffic.delivered;
  const until = performance.now() + floodWindowMs;
  const flooders = await Promise.all([
    ...Array.from({ length: FLOODERS }, (_, i) => flooder('ping flood', i, until)),
    flooder('join/leave flood', FLOODERS, until),
  ]);
  const endCpu = cpuMark();
  const floodTo = traffic.latencies.length;
  const floodDelivered = traffic.delivered - floodDeliveredFrom;
  const rssMiB = serverRssMiB();
  traffic.stop();
  await traffic.drain();
  await closeAll(pairs.flat());

  // Sent and undelivered are for the whole run: a message in flight at the boundary belongs to neither window.
  const row = (from: number, to: number, cpuFrom: CpuMark, cpuTo: CpuMark, delivered: number): LevelResult =>
    summarise(
      FLOOD_WELL_BEHAVED_CLIENTS,
      { latencies: traffic.latencies.slice(from, to), sent: traffic.sent - traffic.delivered + delivered, delivered, errors: traffic.errors, seconds: (cpuTo.atMs - cpuFrom.atMs) / 1000 },
      0,
      rssMiB,
      cpuPercent(cpuFrom, cpuTo),
    );
  const calm = row(calmFrom, floodFrom, calmCpu, floodCpu, floodDeliveredFrom - calmDelivered);
  const underFlood = row(floodFrom, floodTo, floodCpu, endCpu, floodDelivered);
  const rateLimitsHeld =
    flooders.every((f) => f.rateLimitedErrors > 0 && Object.keys(f.closeCodes).every((code) => code === '1008' || code === WINDOW_ENDED)) &&
    (traffic.errors.get('ERR_RATE_LIMITED') ?? 0) === 0 &&
    traffic.sent === traffic.delivered &&
    underFlood.p99Ms <= calm.p99Ms + FLOOD_P99_BOUND_MS;
  return { calm, underFlood, flooders, rateLimitsHeld };
}

function table(rows: LevelResult[], labels?: string[]): string {
  const head = [labels === undefined ? 'clients' : 'window', 'target msg/s', 'delivered msg/s', 'undelivered', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'server RSS MiB', 'server CPU %', 'clients CPU %', 'errors'];
  const body = rows.map((r, i) => [
    labels?.[i] ?? String(r.clients),
    String(r.targetPerSecond),
    String(r.deliveredPerSecond),
    String(r.undelivered),
    String(r.p50Ms),
    String(r.p95Ms),
    String(r.p99Ms),
    String(r.maxMs),
    String(r.serverRssMiB),
    String(r.serverCpuPercent),
    String(r.clientsCpuPercent),
    Object.keys(r.errors).length === 0 ? '0' : JSON.stringify(r.errors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function cleanup(): Promise<void> {
  for (const ws of openSockets) ws.terminate();
  openSockets.clear();
  await server?.stop();
}

async function main(): Promise<void> {
  const started = Date.now();
  const deadline = setTimeout(() => {
    process.stderr.write(`signaling-bench: still running after ${BENCH_DEADLINE_MS} ms; stopping\n`);
    void cleanup().finally(() => process.exit(1));
  }, BENCH_DEADLINE_MS);
  deadline.unref();
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'signaling-bench-'));
  const configPath = path.join(workDir, 'signaling.json');
  fs.writeFileSync(configPath, JSON.stringify({ limits: BENCH_LIMITS }));
  const loadBefore = os.loadavg();
  server = await launchSignaling({ logPath: path.join(workDir, 'signaling.log'), configPath });
  const idleRssMiB = serverRssMiB();
  console.log(`signaling-bench: server pid ${server.pid} at ${server.url}, idle RSS ${idleRssMiB} MiB; ${RUN_MS / 1000} s per level, ${MESSAGES_PER_BURST}-message bursts every ${ROUND_MS} ms per client`);

  try {
    await runLevel(LEVELS[0], WARMUP_MS);
    const levels: LevelResult[] = [];
    for (const clients of LEVELS) {
      const result = await runLevel(clients);
      levels.push(result);
      console.log(`  ${clients} clients: ${result.deliveredPerSecond} msg/s delivered, p99 ${result.p99Ms} ms, server RSS ${result.serverRssMiB} MiB`);
    }
    const flood = await runFlood(FLOOD_BASELINE_MS, FLOOD_WINDOW_MS);

    console.log(`\nRelay between pairs of ws clients over loopback (per-socket limits at their defaults: ${DEFAULT_LIMITS.messagesPerSecond}/s, burst ${DEFAULT_LIMITS.messageBurst}):\n`);
    console.log(table(levels));
    console.log(`\n${FLOOD_WELL_BEHAVED_CLIENTS} well-behaved clients, ${FLOOD_BASELINE_MS / 1000} s calm, then ${FLOOD_WINDOW_MS / 1000} s beside ${FLOODERS} ping flooders + 1 join/leave flooder that reconnect whenever closed:\n`);
    console.log(table([flood.calm, flood.underFlood], ['calm', 'flood']));
    for (const f of flood.flooders) {
      console.log(`  ${f.kind}: ${f.connections} connections, ${f.framesQueued} frames queued, ${f.rateLimitedErrors} ERR_RATE_LIMITED, closes ${JSON.stringify(f.closeCodes)}, median ${f.medianMsToClose} ms from first frame to close`);
    }
    console.log(
      `  rate limits held: ${flood.rateLimitsHeld ? 'yes' : 'NO'} (every flooder connection refused and closed with 1008; well-behaved: ${flood.underFlood.errors.ERR_RATE_LIMITED ?? 0} refusals, ${flood.underFlood.undelivered} undelivered, p99 ${flood.underFlood.p99Ms} ms under flood vs ${flood.calm.p99Ms} ms calm, bound +${FLOOD_P99_BOUND_MS} ms)`,
    );

    const report = {
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}`, loadAvgBefore: loadBefore, loadAvgAfter: os.loadavg() },
      settings: { levels: LEVELS, warmupMs: WARMUP_MS, runMs: RUN_MS, roundMs: ROUND_MS, messagesPerBurst: MESSAGES_PER_BURST, drainMs: DRAIN_MS, benchLimits: BENCH_LIMITS, defaultLimits: DEFAULT_LIMITS },
      idleServerRssMiB: idleRssMiB,
      levels,
      flood: { ...flood, p99BoundMs: FLOOD_P99_BOUND_MS },
      notes: [
        'Clients and server share the machine (and here, other people’s browsers): latency includes the bench process’s own event loop; see the CPU columns for which side was busy.',
        'Closed loop per pair: past the server’s capacity, rounds slow down and delivered msg/s falls short of the target.',
        'delivered msg/s counts relayed signals received, over the time from the first send to the last arrival.',
      ],
    };
    fs.mkdirSync(path.dirname(REPORT_PATH), { recursive: true });
    fs.writeFileSync(REPORT_PATH, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(REPO_ROOT, REPORT_PATH)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await cleanup();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch(async (err: unknown) => {
  process.stderr.write(`signaling-bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await cleanup();
  process.exit(1);
});
