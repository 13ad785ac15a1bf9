import SimplePeer from 'simple-peer';
import { BUFFERED_LOW_BYTES, HEARTBEAT_INTERVAL_MS, LIVENESS_TIMEOUT_MS, PEER_CONNECT_TIMEOUT_MS } from '../config.js';
import { backoffDelayMs } from './backoff.js';
import type { ChannelPort } from './channel-port.js';
import { PathProgress } from './path-progress.js';
import { parsePeerSignal, type PeerSignal } from './peer-signal.js';
import type { SignalingClient } from './signaling-client.js';
import { dataChannelOf, peerConnectionOf } from './simple-peer-internals.js';

export type LinkState = 'waiting-for-peer' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface IceServerError {
  /** STUN/TURN error code: 401 bad credentials, 701 server unreachable, … */
  code: number;
  text: string;
  url: string;
}

export interface PeerLinkEvents {
  state(state: LinkState, detail: string): void;
  /** A STUN/TURN server answered with an error or not at all, while gathering candidates. */
  iceServerError(err: IceServerError, connectFailed: boolean): void;
  open(port: ChannelPort): void;
  message(data: string | Uint8Array, port: ChannelPort): void;
  down(reason: string): void;
}

export interface PeerLinkOptions {
  role: 'sender' | 'receiver';
  signaling: SignalingClient;
  iceConfig(): Promise<RTCConfiguration>;
  on: PeerLinkEvents;
  log(msg: string): void;
}

const HEARTBEAT = JSON.stringify({ type: 'heartbeat', seq: 0 });
/** A receiver's request-peer that arrives this soon after we started an attempt is that attempt's echo. */
const REQUEST_DEDUP_MS = 2_000;

/**
 * One logical link to the other peer that survives any number of dead connections.
 *
 * The sender is always the initiator. Every attempt is a new simple-peer with a fresh generation
 * id. A dead path is detected by our own heartbeat (the DataChannel stays `open` on a cut path),
 * by simple-peer's close/error (ICE `failed`), or by a connect timeout; recovery is a new peer
 * over signaling, with backoff. The receiver asks for one with `request-peer`.
 */
export class PeerLink {
  private peer: SimplePeer.Instance | undefined;
  private gen = '';
  private remote: string | undefined;
  private port: (ChannelPort & { kill(): void }) | undefined;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeardMs = 0;
  private closed = false;
  private everConnected = false;
  private attemptStartedMs = -Infinity;
  private iceErrorsOfAttempt: IceServerError[] = [];
  /** Offer/answer already applied in this generation (duplicates are dropped). */
  private sdpApplied = new Set<string>();
  /** Signals for the current generation that arrived before its peer was built. */
  private pending: SimplePeer.SignalData[] = [];

  constructor(private readonly opts: PeerLinkOptions) {}

  /** The signaling server says the other peer is in the room. */
  remotePresent(peerId: string): void {
    this.remote = peerId;
    if (this.isHealthy()) return;
    if (this.opts.role === 'sender') this.startAttempt('peer present');
    else this.requestPeer();
  }

  remoteGone(peerId: string): void {
    if (peerId !== this.remote) return;
    this.opts.log(`signaling says ${peerId} left; the link is kept while it still answers`);
  }

  onSignal(from: string, data: unknown): void {
    const signal = parsePeerSignal(data);
    if (!signal) {
      this.opts.log(`ignored a malformed signal from ${from}`);
      return;
    }
    this.remote = from;
    this.handleSignal(signal);
  }

  /** Is there a connection that has been heard from recently? */
  isHealthy(): boolean {
    return this.port !== undefined && this.port.alive && performance.now() - this.lastHeardMs < LIVENESS_TIMEOUT_MS;
  }

  get generation(): string {
    return this.gen;
  }

  get currentPeer(): SimplePeer.Instance | undefined {
    return this.peer;
  }

  close(): void {
    this.closed = true;
    this.teardown();
    this.setState('closed', 'closed by the app');
  }

  private handleSignal(signal: PeerSignal): void {
    if (signal.kind === 'request-peer') {
      if (this.opts.role !== 'sender') return;
      // A request that crosses an attempt we just started is already being answered.
      if (!this.port && performance.now() - this.attemptStartedMs < REQUEST_DEDUP_MS) return;
      this.startAttempt('the receiver asked for a new connection');
      return;
    }
    if (signal.gen === this.gen) {
      // Signaling may deliver a message twice; applying an offer/answer twice breaks the peer.
      const kind = signal.payload.type;
      if (kind === 'offer' || kind === 'answer') {
        if (this.sdpApplied.has(kind)) return;
        this.sdpApplied.add(kind);
      }
      if (this.peer) this.peer.signal(signal.payload);
      else this.pending.push(signal.payload);
      return;
    }
    if (this.opts.role === 'receiver' && signal.payload.type === 'offer') {
      this.createPeer(signal.gen, false, signal.payload);
      this.sdpApplied.add('offer');
    }
    // Anything else belongs to a generation that is over.
  }

  private requestPeer(): void {
    if (!this.remote || this.closed) return;
    this.opts.signaling.sendSignal(this.remote, { kind: 'request-peer' } satisfies PeerSignal);
  }

  private startAttempt(why: string): void {
    if (this.closed || !this.remote) return;
    clearTimeout(this.retryTimer);
    this.opts.log(`new connection attempt: ${why}`);
    this.createPeer(crypto.randomUUID(), true);
  }

  private createPeer(gen: string, initiator: boolean, first?: SimplePeer.SignalData): void {
    this.teardown();
    this.gen = gen;
    this.attemptStartedMs = performance.now();
    this.sdpApplied = new Set();
    this.pending = first ? [first] : [];
    this.setState(this.everConnected ? 'reconnecting' : 'connecting', `generation ${gen.slice(0, 8)}`);
    const remote = this.remote!;
    // The ICE config is fetched per attempt, before the peer exists: TURN credentials are minted
    // fresh each time, and an initiator must not make its offer without them.
    this.opts
      .iceConfig()
      .then((config) => {
        if (this.gen !== gen || this.closed) return;
        const peer = new SimplePeer({ initiator, trickle: true, objectMode: true, config, channelConfig: { ordered: true } });
        this.peer = peer;
        this.watchIceErrors(peer);
        this.wire(peer, gen, remote);
        for (const s of this.pending.splice(0)) peer.signal(s);
        this.connectTimer = setTimeout(() => this.markDown(peer, 'connect timeout'), PEER_CONNECT_TIMEOUT_MS);
      })
      .catch((err: unknown) => {
        this.opts.log(`could not get the ICE config: ${String(err)}`);
        if (this.gen === gen) this.scheduleRetry(`ICE config unavailable (${String(err)})`);
      });
  }

  private wire(peer: SimplePeer.Instance, gen: string, remote: string): void {
    peer.on('signal', (payload: SimplePeer.SignalData) => {
      if (this.peer !== peer) return;
      this.opts.signaling.sendSignal(remote, { kind: 'sdp', gen, payload } satisfies PeerSignal);
    });
    // simple-peer emits 'connect' only after an async getStats(), so the other side's first
    // message (the manifest) can arrive before it: keep such messages until 'connect'.
    const early: (string | Uint8Array)[] = [];
    peer.on('connect', () => {
      if (this.peer !== peer) return;
      clearTimeout(this.connectTimer);
      this.attempt = 0;
      this.everConnected = true;
      this.lastHeardMs = performance.now();
      this.port = this.makePort(peer, gen);
      this.startHeartbeat(peer);
      this.setState('connected', `generation ${gen.slice(0, 8)}`);
      this.opts.on.open(this.port);
      for (const data of early.splice(0)) this.deliver(data);
    });
    peer.on('data', (data: string | Uint8Array) => {
      if (this.peer !== peer) return;
      this.lastHeardMs = performance.now();
      if (!this.port) early.push(data);
      else this.deliver(data);
    });
    peer.on('error', (err: Error & { code?: string }) => this.markDown(peer, `peer error ${err.code ?? ''} ${err.message}`));
    peer.on('close', () => this.markDown(peer, 'peer closed'));
  }

  /**
   * Credentials refused (401/403) are reported at once: no retry will fix them. An unreachable
   * server (701) is normal when another one works, so it is reported only if the attempt fails.
   */
  private watchIceErrors(peer: SimplePeer.Instance): void {
    const pc = peerConnectionOf(peer);
    const seen: IceServerError[] = [];
    pc?.addEventListener('icecandidateerror', (ev) => {
      const e = ev as RTCPeerConnectionIceErrorEvent;
      const err = { code: e.errorCode, text: e.errorText, url: e.url };
      seen.push(err);
      if (err.code === 401 || err.code === 403) this.opts.on.iceServerError(err, false);
    });
    this.iceErrorsOfAttempt = seen;
  }

  private deliver(data: string | Uint8Array): void {
    if (data !== HEARTBEAT && this.port) this.opts.on.message(data, this.port);
  }

  private makePort(peer: SimplePeer.Instance, gen: string): ChannelPort & { kill(): void } {
    const channel = dataChannelOf(peer);
    let alive = true;
    const waiters = new Set<() => void>();
    if (channel) {
      channel.bufferedAmountLowThreshold = BUFFERED_LOW_BYTES;
      channel.addEventListener('bufferedamountlow', () => {
        for (const w of waiters) w();
        waiters.clear();
      });
    }
    return {
      generation: gen,
      get alive() {
        return alive;
      },
      send(data) {
        if (!alive) throw new Error('connection is gone');
        peer.send(data as ArrayBuffer);
      },
      get bufferedAmount() {
        return channel?.bufferedAmount ?? 0;
      },
      waitForLowBuffer() {
        if (!alive || !channel || channel.bufferedAmount <= BUFFERED_LOW_BYTES) return Promise.resolve();
        return new Promise<void>((resolve) => waiters.add(resolve));
      },
      kill() {
        alive = false;
        for (const w of waiters) w();
        waiters.clear();
      },
    };
  }

  private startHeartbeat(peer: SimplePeer.Instance): void {
    clearInterval(this.heartbeatTimer);
    const progress = new PathProgress(peerConnectionOf(peer));
    this.heartbeatTimer = setInterval(() => {
      if (this.peer !== peer) return;
      const silentMs = performance.now() - this.lastHeardMs;
      if (silentMs > LIVENESS_TIMEOUT_MS) {
        this.markDown(peer, `nothing heard for ${LIVENESS_TIMEOUT_MS} ms`);
        return;
      }
      // No whole message for a while: ask the transport whether bytes still arrive (a slow path
      // is busy, not dead). Sampled only during silence, so a healthy fast path pays nothing;
      // the first silent tick sets the baseline, later ones count as heard if bytes came in.
      if (silentMs > HEARTBEAT_INTERVAL_MS) {
        void progress.deliveredSinceLastSample().then((delivered) => {
          if (delivered && this.peer === peer) this.lastHeardMs = performance.now();
        });
      } else {
        // Messages flow: the next silence takes its own baseline, so bytes from before it never revive a dead path.
        progress.reset();
      }
      try {
        peer.send(HEARTBEAT);
      } catch {
        // The channel is closing; close/error will report it.
      }
    }, HEARTBEAT_INTERVAL_MS);
  }

  private markDown(peer: SimplePeer.Instance, reason: string): void {
    if (this.peer !== peer || this.closed) return;
    this.opts.log(`connection ${this.gen.slice(0, 8)} down: ${reason}`);
    const hadPort = this.port !== undefined;
    if (!hadPort) for (const err of this.iceErrorsOfAttempt) this.opts.on.iceServerError(err, true);
    this.teardown();
    if (hadPort) this.opts.on.down(reason);
    this.scheduleRetry(reason);
  }

  /** Sender: a new attempt after backoff. Receiver: ask the sender for one, again until answered. */
  private scheduleRetry(reason: string): void {
    const delay = backoffDelayMs(this.attempt++);
    this.setState('reconnecting', `${reason}; retrying in ${delay} ms`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.opts.role === 'sender') {
        this.startAttempt(`recovering after: ${reason}`);
        return;
      }
      this.requestPeer();
      this.retryTimer = setTimeout(() => {
        if (!this.peer) this.scheduleRetry('no offer came');
      }, PEER_CONNECT_TIMEOUT_MS);
    }, delay);
  }

  private teardown(): void {
    clearTimeout(this.connectTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.retryTimer);
    this.port?.kill();
    this.port = undefined;
    const peer = this.peer;
    this.peer = undefined;
    peer?.destroy();
  }

  private setState(state: LinkState, detail: string): void {
    this.opts.on.state(state, detail);
  }
}
