import dgram from 'node:dgram';
import net from 'node:net';

import { createLogger, type Logger } from '../log.js';
import type { ProxyToxics } from './control-protocol.js';
import type { ProxyCounters } from './counters.js';
import type { QueueBudget } from './queue-budget.js';
import { isUdpBlocked, UdpLane } from './udp-lane.js';

/**
 * The UDP half of the proxy. Each client address gets its own upstream socket, so the server sees
 * one stable 5-tuple per client, which is what a TURN allocation is bound to. A session that
 * stays quiet for `idleMs` is closed; a later datagram from that client opens a new one (and
 * coturn, seeing a new source port, treats it as a new client, as a NAT rebinding would).
 */

export interface UdpRelayOptions {
  /** The bound listening socket; the relay owns it from now on. */
  socket: dgram.Socket;
  upstreamHost: string;
  upstreamPort: number;
  idleMs: number;
  maxSessions: number;
  toxics: () => Readonly<ProxyToxics>;
  budget: QueueBudget;
  counters: ProxyCounters;
}

interface Session {
  key: string;
  upstream: dgram.Socket;
  toUpstream: UdpLane;
  toClient: UdpLane;
  lastActiveMs: number;
}

/**
 * Kernel socket buffers. Linux's default (~208 KiB) holds only ~50 small datagrams on loopback
 * (each is charged a few KiB), so a burst from a busy peer would be lost before we ever saw it,
 * as loss nobody asked for. The kernel caps this at net.core.rmem_max / wmem_max.
 */
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

function enlargeBuffers(socket: dgram.Socket, log: Logger): void {
  try {
    socket.setRecvBufferSize(SOCKET_BUFFER_BYTES);
    socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
  } catch (err) {
    log(`could not enlarge UDP socket buffers: ${(err as Error).message}`);
  }
}

/** Idle sessions are looked for this often at most (and at least twice per idle period). */
const MAX_SWEEP_INTERVAL_MS = 10_000;

function loopbackFor(host: string): string | undefined {
  if (host === '::1') return '::1';
  if (net.isIPv4(host) && host.startsWith('127.')) return '127.0.0.1';
  return undefined;
}

export class UdpRelay {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly opts: UdpRelayOptions) {
    this.log = createLogger('fault-proxy', `udp:${opts.socket.address().port}`);
    enlargeBuffers(opts.socket, this.log);
    opts.socket.on('message', (datagram, from) => this.fromClient(datagram, from));
    // A send to a vanished client can fail; the relay must outlive one bad peer.
    opts.socket.on('error', (err) => this.log(`listen socket error: ${err.message}`));
    this.sweeper = setInterval(() => this.sweepIdle(), Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(1, opts.idleMs / 2)));
    this.sweeper.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearInterval(this.sweeper);
    for (const session of [...this.sessions.values()]) this.closeSession(session);
    return new Promise((resolve) => this.opts.socket.close(() => resolve()));
  }

  private fromClient(datagram: Buffer, from: dgram.RemoteInfo): void {
    const key = `${from.address}|${from.port}`;
    let session = this.sessions.get(key);
    if (!session) {
      // No session is opened while UDP is blocked: a firewall would not let the first datagram through either.
      const reason = isUdpBlocked(this.opts.toxics()) ? 'blocked' : this.sessions.size >= this.opts.maxSessions ? 'sessionLimit' : undefined;
      if (reason) {
        this.opts.counters.udpPacketsIn++;
        this.opts.counters.udpDrops[reason]++;
        return;
      }
      session = this.openSession(key, from);
    }
    session.lastActiveMs = performance.now();
    session.toUpstream.push(datagram);
  }

  private openSession(key: string, client: dgram.RemoteInfo): Session {
    const { upstreamHost, upstreamPort, toxics, budget, counters } = this.opts;
    const upstream = dgram.createSocket(net.isIPv6(upstreamHost) ? 'udp6' : 'udp4');
    // Stay on loopback when the server is there; dgram queues sends made while the bind completes.
    upstream.bind(0, loopbackFor(upstreamHost));
    upstream.once('listening', () => enlargeBuffers(upstream, this.log));
    const listen = this.opts.socket;
    const session: Session = {
      key,
      upstream,
      lastActiveMs: performance.now(),
      toUpstream: new UdpLane({ toxics, budget, counters, send: (d) => upstream.send(d, upstreamPort, upstreamHost) }),
      toClient: new UdpLane({ toxics, budget, counters, send: (d) => listen.send(d, client.port, client.address) }),
    };
    upstream.on('message', (datagram, from) => {
      // Only the server's answers count: anything else reaching this ephemeral port is not ours to relay.
      if (from.port !== upstreamPort || from.address !== upstreamHost) return;
      session.lastActiveMs = performance.now();
      session.toClient.push(datagram);
    });
    upstream.on('error', (err) => {
      this.log(`session ${key}: upstream socket error: ${err.message}; closing the session`);
      this.closeSession(session);
    });
    this.sessions.set(key, session);
    this.log(`session ${key} opened (${this.sessions.size} open)`);
    return session;
  }

  private closeSession(session: Session): void {
    if (this.sessions.get(session.key) !== session) return;
    this.sessions.delete(session.key);
    session.toUpstream.close();
    session.toClient.close();
    session.upstream.close();
  }

  private sweepIdle(): void {
    const cutoffMs = performance.now() - this.opts.idleMs;
    for (const session of [...this.sessions.values()]) {
      if (session.lastActiveMs < cutoffMs) {
        this.log(`session ${session.key} idle for ${this.opts.idleMs} ms; closing`);
        this.closeSession(session);
      }
    }
  }
}
