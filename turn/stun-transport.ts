import dgram from 'node:dgram';
import net from 'node:net';

import { HarnessError } from '../lib/errors.js';
import { decodeMessage, encodeMessage, framedLength, type EncodeOptions, type StunMessage } from './stun-message.js';

/**
 * One STUN "5-tuple" to a server: a UDP socket or a TCP connection that carries requests and
 * matches responses by transaction id. TURN ties an allocation to its 5-tuple, so every step of
 * an Allocate dance (and the Refresh that frees it) must go over the same channel.
 */

export type StunTransport = 'udp' | 'tcp';

export interface StunTarget { host: string; port: number; transport: StunTransport }

export interface StunResponse { message: StunMessage; raw: Buffer }

export interface StunChannel {
  /** Sends a request and resolves with the response that carries its transaction id. */
  request(msg: StunMessage, opts: EncodeOptions & { what: string; timeoutMs: number }): Promise<StunResponse>;
  close(): void;
}

/** First UDP retransmission; doubled each time (RFC 5389 §7.2.1 uses 500 ms, loopback needs far less). */
const UDP_INITIAL_RTO_MS = 50;
const UNREACHABLE_HINT = 'Is the TURN server running and listening on that address and transport? Its log (TurnServer.logTail()) usually says why not.';

function unreachable(target: StunTarget, what: string, detail: string, cause?: unknown): HarnessError {
  return new HarnessError('ERR_TURN_UNREACHABLE', `${what} to ${target.transport}:${target.host}:${target.port} ${detail}`, {
    context: { ...target, what },
    hint: UNREACHABLE_HINT,
    cause,
  });
}

interface Pending { resolve: (r: StunResponse) => void; reject: (e: Error) => void }

/** Shared bookkeeping: pending requests by transaction id, timeouts, and failing them all at once. */
class PendingRequests {
  private readonly byId = new Map<string, Pending>();

  wait(target: StunTarget, msg: StunMessage, what: string, timeoutMs: number): Promise<StunResponse> {
    const id = msg.transactionId.toString('hex');
    return new Promise<StunResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.byId.delete(id);
        reject(unreachable(target, what, `got no response within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.byId.delete(id);
      };
      this.byId.set(id, {
        resolve: (r) => { settle(); resolve(r); },
        reject: (e) => { settle(); reject(e); },
      });
    });
  }

  deliver(raw: Buffer): void {
    const message = decodeMessage(raw);
    if (!message) return;
    this.byId.get(message.transactionId.toString('hex'))?.resolve({ message, raw });
  }

  failAll(err: Error): void {
    for (const p of [...this.byId.values()]) p.reject(err);
  }
}

function openUdp(target: StunTarget): StunChannel {
  const socket = dgram.createSocket(net.isIPv6(target.host) ? 'udp6' : 'udp4');
  const pending = new PendingRequests();
  let closed = false;
  socket.on('message', (raw) => pending.deliver(raw));
  socket.on('error', (err) => pending.failAll(unreachable(target, 'UDP socket', `failed: ${err.message}`, err)));
  const send = (bytes: Buffer): void => {
    if (!closed) socket.send(bytes, target.port, target.host);
  };
  return {
    request(msg, opts) {
      const bytes = encodeMessage(msg, opts);
      // UDP may lose the first datagram (e.g. the server is still binding): retransmit with backoff.
      let rtoMs = UDP_INITIAL_RTO_MS;
      let retransmit: NodeJS.Timeout | undefined;
      const sendAndRearm = (): void => {
        send(bytes);
        retransmit = setTimeout(sendAndRearm, rtoMs);
        rtoMs *= 2;
      };
      const response = pending.wait(target, msg, opts.what, opts.timeoutMs);
      sendAndRearm();
      return response.finally(() => clearTimeout(retransmit));
    },
    close() {
      if (closed) return;
      closed = true;
      pending.failAll(unreachable(target, 'STUN request', 'was abandoned: the channel was closed'));
      socket.close();
    },
  };
}

async function openTcp(target: StunTarget, connectTimeoutMs: number): Promise<StunChannel> {
  const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(unreachable(target, 'TCP connect', `did not complete within ${connectTimeoutMs} ms`));
    }, connectTimeoutMs);
    socket.once('connect', () => { clearTimeout(timer); resolve(); });
    socket.once('error', (err) => { clearTimeout(timer); reject(unreachable(target, 'TCP connect', `failed: ${err.message}`, err)); });
  });
  const pending = new PendingRequests();
  let buffered = Buffer.alloc(0);
  let closed = false;
  // RFC 5766 §2.1: over TCP, STUN messages follow each other with no extra framing; the header's length splits them.
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let len = framedLength(buffered); len !== undefined && buffered.length >= len; len = framedLength(buffered)) {
      pending.deliver(buffered.subarray(0, len));
      buffered = buffered.subarray(len);
    }
  });
  socket.on('error', (err) => pending.failAll(unreachable(target, 'TCP connection', `failed: ${err.message}`, err)));
  socket.on('close', () => pending.failAll(unreachable(target, 'TCP connection', 'was closed by the server')));
  return {
    request(msg, opts) {
      const response = pending.wait(target, msg, opts.what, opts.timeoutMs);
      socket.write(encodeMessage(msg, opts));
      return response;
    },
    close() {
      if (closed) return;
      closed = true;
      pending.failAll(unreachable(target, 'STUN request', 'was abandoned: the channel was closed'));
      socket.destroy();
    },
  };
}

export async function openStunChannel(target: StunTarget, connectTimeoutMs: number): Promise<StunChannel> {
  return target.transport === 'udp' ? openUdp(target) : openTcp(target, connectTimeoutMs);
}
