import dns from 'node:dns/promises';
import net from 'node:net';

import { HarnessError } from '../errors.js';
import { createLogger } from '../log.js';
import { bindUdpAndTcp } from './bind-udp-tcp.js';
import { startControlApi, type ControlApi } from './control-api.js';
import type { HealthResponse, ProxyStats, ProxyToxics } from './control-protocol.js';
import { newCounters, type ProxyCounters } from './counters.js';
import { QueueBudget } from './queue-budget.js';
import { TcpRelay } from './tcp-relay.js';
import { UdpRelay } from './udp-relay.js';
import { validateToxics } from './validate-toxics.js';

/**
 * A userspace fault proxy for a TURN server: UDP and TCP on one port, both forwarded to the
 * upstream, with toxics (loss, delay, jitter, reorder, rate, blackhole, resets, blocks) that can
 * be changed at any time, in process or over the HTTP control API. Needs no root.
 */

export type { ProxyStats, ProxyToxics } from './control-protocol.js';

export interface FaultProxyOptions {
  /** Where clients connect, UDP and TCP. Default 127.0.0.1. */
  listenHost?: string;
  /** 0 or undefined: any port free for both UDP and TCP. */
  listenPort?: number;
  /** The TURN server. A name is resolved once, at start. */
  upstreamHost: string;
  upstreamPort: number;
  /** Loopback only. Default 127.0.0.1. */
  controlHost?: string;
  /** 0 or undefined: any free port. */
  controlPort?: number;
  /** When set, the control API wants `Authorization: Bearer <token>`. */
  controlToken?: string;
  /** Toxics active from the first packet. */
  toxics?: ProxyToxics;
  /** A UDP session quiet this long is closed. */
  udpSessionIdleMs?: number;
  /** UDP datagrams from further client addresses are dropped (sessionLimit): one socket each. */
  maxUdpSessions?: number;
  /** Cap on bytes held in delay/rate queues across the proxy. */
  maxQueuedBytes?: number;
}

export interface FaultProxy {
  readonly host: string;
  /** The same number for UDP and TCP. */
  readonly port: number;
  readonly upstream: { readonly host: string; readonly port: number };
  /** e.g. http://127.0.0.1:8474 */
  readonly controlUrl: string;
  /** A copy of the active set. */
  readonly toxics: ProxyToxics;
  /** Validates and replaces the whole set (`{}` clears it); returns what is now active. Throws ERR_CONFIG on a bad set. */
  setToxics(toxics: ProxyToxics): ProxyToxics;
  stats(): ProxyStats;
  /** Closes every socket, connection, timer and the control API. Safe to call twice. */
  close(): Promise<void>;
}

/** Longer than coturn's default permission lifetime (300 s), so a live allocation never loses its 5-tuple to us. */
export const DEFAULT_UDP_SESSION_IDLE_MS = 330_000;
export const DEFAULT_MAX_UDP_SESSIONS = 1_024;
/** Enough for 100 ms of delay on a ~1 Gbit/s stream; beyond it UDP is dropped and TCP readers pause. */
export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;
const MAX_PORT = 65_535;

function checkPort(name: string, port: number | undefined, min: number): void {
  if (port === undefined) return;
  if (!Number.isInteger(port) || port < min || port > MAX_PORT) {
    throw new HarnessError('ERR_CONFIG', `fault proxy ${name} must be an integer from ${min} to ${MAX_PORT}, got ${port}`, { context: { [name]: port } });
  }
}

function checkPositive(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new HarnessError('ERR_CONFIG', `fault proxy ${name} must be a positive number, got ${value}`, { context: { [name]: value } });
  }
}

/** UDP replies are matched on the server's address, so a host name becomes one address up front. */
async function resolveUpstream(host: string): Promise<string> {
  if (net.isIP(host)) return host;
  try {
    return (await dns.lookup(host)).address;
  } catch (err) {
    throw new HarnessError('ERR_CONFIG', `fault proxy cannot resolve upstream host ${host}`, { context: { host }, hint: 'Use an IP address such as 127.0.0.1.', cause: err });
  }
}

/** The active set, shared by reference: relays read it on every packet, setToxics() swaps it. */
interface ToxicsState { current: ProxyToxics }

class RunningFaultProxy implements FaultProxy {
  readonly upstream: { host: string; port: number };
  private closing: Promise<void> | undefined;
  private control: ControlApi | undefined;
  private readonly log;

  constructor(
    readonly host: string,
    readonly port: number,
    upstreamHost: string,
    upstreamPort: number,
    private readonly state: ToxicsState,
    private readonly udp: UdpRelay,
    private readonly tcp: TcpRelay,
    private readonly budget: QueueBudget,
    private readonly counters: ProxyCounters,
  ) {
    this.upstream = { host: upstreamHost, port: upstreamPort };
    this.log = createLogger('fault-proxy', String(port));
  }

  get controlUrl(): string {
    return this.control?.url ?? '';
  }

  attachControl(control: ControlApi): void {
    this.control = control;
  }

  get toxics(): ProxyToxics {
    return { ...this.state.current };
  }

  /** Takes `unknown` because the control API hands it parsed JSON: validation is here, once. */
  setToxics(toxics: unknown): ProxyToxics {
    // resetTcp is an action, not a state: do it once and keep it out of the active set.
    const { resetTcp, ...kept } = validateToxics(toxics);
    this.state.current = kept;
    this.log(`toxics ${JSON.stringify(kept)}${resetTcp ? ' + resetTcp' : ''}`);
    if (this.closing) return this.toxics;
    if (resetTcp || kept.blockTcp) this.tcp.resetAll();
    this.tcp.updateFlow();
    return this.toxics;
  }

  stats(): ProxyStats {
    const c = this.counters;
    return {
      udpSessions: this.udp.sessionCount,
      udpPacketsIn: c.udpPacketsIn,
      udpPacketsOut: c.udpPacketsOut,
      udpPacketsDropped: Object.values(c.udpDrops).reduce((a, b) => a + b, 0),
      udpDrops: { ...c.udpDrops },
      udpPacketsReordered: c.udpPacketsReordered,
      tcpConnectionsOpen: this.tcp.openCount,
      tcpConnectionsTotal: c.tcpConnectionsTotal,
      tcpConnectionsRefused: c.tcpConnectionsRefused,
      tcpConnectionsReset: c.tcpConnectionsReset,
      tcpBytes: c.tcpBytes,
      queuedBytes: this.budget.usedBytes,
      queuedBytesLimit: this.budget.limitBytes,
    };
  }

  health(): HealthResponse {
    return { ok: true, listen: { host: this.host, port: this.port }, upstream: { ...this.upstream } };
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([this.control?.close(), this.tcp.close(), this.udp.close()]).then(() => this.log('closed'));
    return this.closing;
  }
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const listenHost = opts.listenHost ?? '127.0.0.1';
  checkPort('listenPort', opts.listenPort, 0);
  checkPort('upstreamPort', opts.upstreamPort, 1);
  checkPort('controlPort', opts.controlPort, 0);
  checkPositive('udpSessionIdleMs', opts.udpSessionIdleMs);
  checkPositive('maxUdpSessions', opts.maxUdpSessions);
  checkPositive('maxQueuedBytes', opts.maxQueuedBytes);
  const { resetTcp: _noConnectionsYet, ...initial } = validateToxics(opts.toxics ?? {});
  const upstreamHost = await resolveUpstream(opts.upstreamHost);

  const bound = await bindUdpAndTcp(listenHost, opts.listenPort ?? 0);
  const budget = new QueueBudget(opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES);
  const counters = newCounters();
  const state: ToxicsState = { current: initial };
  const toxics = (): Readonly<ProxyToxics> => state.current;
  const shared = { upstreamHost, upstreamPort: opts.upstreamPort, toxics, budget, counters };
  const udp = new UdpRelay({ ...shared, socket: bound.udp, idleMs: opts.udpSessionIdleMs ?? DEFAULT_UDP_SESSION_IDLE_MS, maxSessions: opts.maxUdpSessions ?? DEFAULT_MAX_UDP_SESSIONS });
  const tcp = new TcpRelay({ ...shared, server: bound.tcp });
  const proxy = new RunningFaultProxy(listenHost, bound.port, upstreamHost, opts.upstreamPort, state, udp, tcp, budget, counters);
  try {
    proxy.attachControl(await startControlApi({ host: opts.controlHost ?? '127.0.0.1', port: opts.controlPort ?? 0, token: opts.controlToken, target: proxy }));
  } catch (err) {
    await proxy.close();
    throw err;
  }
  return proxy;
}
