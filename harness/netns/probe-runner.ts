import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

import { transformSync } from 'esbuild';

import { HarnessError } from '../errors.js';
import { netnsCommand } from './exec.js';

/**
 * Measures what a link delivers, with link-probe.ts run inside the namespaces on both ends.
 * Used by the unit tests to check the controls for real, and handy to check a link by hand.
 */

const PROBE_PATH = fileURLToPath(new URL('./link-probe.ts', import.meta.url));
/** Node starts in well under a second; a machine shared with browsers may take several. */
const PROBE_START_TIMEOUT_MS = 15_000;
const PROBE_SLACK_MS = 20_000;
/** Ports inside our own namespaces: nothing else listens there. */
const PROBE_PORT_RANGE: [number, number] = [20_000, 30_000];

export interface Endpoint {
  ns: string;
}

export interface Listener extends Endpoint {
  /** The address the sender aims at: a peer's address, or the topology's serviceAddress in the hub. */
  address: string;
}

interface Probe {
  child: ChildProcess;
  lines: AsyncIterator<Record<string, unknown>>;
}

let compiled: string | undefined;

/**
 * link-probe.ts as plain JavaScript, passed with `node -e`: starting tsx costs one to three
 * seconds per probe on a loaded machine, node alone a tenth of that, and no file is left behind.
 */
function probeCode(): string {
  compiled ??= transformSync(fs.readFileSync(PROBE_PATH, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20' }).code;
  return compiled;
}

function startProbe(ns: string, mode: string, args: Record<string, string | number>): Probe {
  const line = netnsCommand(ns, process.execPath, ['--input-type=module', '-e', probeCode(), mode, ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)])]);
  const child = spawn(line.command, line.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  async function* read(): AsyncGenerator<Record<string, unknown>> {
    let buffered = '';
    for await (const chunk of child.stdout!.setEncoding('utf8') as AsyncIterable<string>) {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        yield JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
      }
    }
    throw new HarnessError('ERR_PROCESS_EXITED', `link-probe ${mode} in ${ns} ended without a result: ${stderr.trim()}`, {
      context: { ns, mode, args, stderr },
      hint: 'Run `ip netns exec <ns> node --import tsx harness/netns/link-probe.ts <mode> …` by hand from the repo root to see it fail live.',
    });
  }
  return { child, lines: read() };
}

async function next(probe: Probe, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HarnessError('ERR_TIMEOUT', `link-probe: no ${what} within ${timeoutMs} ms`, { hint: 'The machine may be overloaded; retry, or raise the timeout.' })), timeoutMs);
  });
  try {
    const result = await Promise.race([probe.lines.next(), timeout]);
    if (result.done) throw new HarnessError('ERR_PROCESS_EXITED', `link-probe ended before its ${what}`);
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}

function end(probe: Probe): void {
  // Our own child, by its PID (the `ip netns exec` exec'd into node, so this is node itself).
  if (probe.child.exitCode === null && probe.child.signalCode === null) probe.child.kill('SIGKILL');
}

function probePort(): number {
  return randomInt(PROBE_PORT_RANGE[0], PROBE_PORT_RANGE[1]);
}

export interface UdpDelivery {
  sent: number;
  /** Distinct datagrams that arrived. */
  received: number;
  lossPercent: number;
}

/** Sends `count` numbered datagrams from `from` to `to` and counts how many arrive. */
export async function measureUdpDelivery(from: Endpoint, to: Listener, opts: { count: number; port?: number }): Promise<UdpDelivery> {
  const port = opts.port ?? probePort();
  const receiver = startProbe(to.ns, 'udp-recv', { port });
  let sender: Probe | undefined;
  try {
    await next(receiver, PROBE_START_TIMEOUT_MS, 'ready line from udp-recv');
    sender = startProbe(from.ns, 'udp-send', { host: to.address, port, count: opts.count });
    const sent = await next(sender, PROBE_START_TIMEOUT_MS + PROBE_SLACK_MS, 'result from udp-send');
    receiver.child.stdin!.end();
    const got = await next(receiver, PROBE_SLACK_MS, 'result from udp-recv');
    const received = Number(got.distinct);
    return { sent: Number(sent.sent), received, lossPercent: (100 * (opts.count - received)) / opts.count };
  } finally {
    end(receiver);
    if (sender) end(sender);
  }
}

export interface TcpThroughput {
  bytes: number;
  elapsedMs: number;
  kbps: number;
}

/** Pushes TCP from `from` to `to` for `durationMs` and measures the rate at the receiver. */
export async function measureTcpThroughput(from: Endpoint, to: Listener, opts: { durationMs: number; port?: number }): Promise<TcpThroughput> {
  const port = opts.port ?? probePort();
  const receiver = startProbe(to.ns, 'tcp-recv', { port });
  let sender: Probe | undefined;
  try {
    await next(receiver, PROBE_START_TIMEOUT_MS, 'ready line from tcp-recv');
    sender = startProbe(from.ns, 'tcp-send', { host: to.address, port, 'duration-ms': opts.durationMs });
    const got = await next(receiver, PROBE_START_TIMEOUT_MS + opts.durationMs + PROBE_SLACK_MS, 'result from tcp-recv');
    const bytes = Number(got.bytes);
    const elapsedMs = Number(got.elapsedMs);
    return { bytes, elapsedMs, kbps: elapsedMs > 0 ? (bytes * 8) / elapsedMs : 0 };
  } finally {
    end(receiver);
    if (sender) end(sender);
  }
}
