import SimplePeer from 'simple-peer';
import { BUFFERED_LOW_BYTES, HEARTBEAT_INTERVAL_MS, ICE_RESTART_ATTEMPTS, ICE_RESTART_TIMEOUT_MS, LIVENESS_TIMEOUT_MS, PEER_CONNECT_TIMEOUT_MS, type RecoveryStrategy } from '../config.js';
import { backoffDelayMs } from './backoff.js';
import type { ChannelPort } from './channel-port.js';
import { iceUfrag } from './ice-ufrag.js';
import { PathProgress } from './path-progress.js';
import { parsePeerSignal, type PeerSignal } from './peer-signal.js';
import type { SignalingClient } from './signaling-client.js';
import { dataChannelOf, negotiate, peerConnectionOf } from './simple-peer-internals.js';

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
  /** The path is back: how (same connection after an ICE restart, or a new peer) and how long it was silent. */
  recovered(how: RecoveryStrategy, silentMs: number): void;
}

export interface PeerLinkOptions {
  role: 'sender' | 'receiver';
  /** How a silent path is recovered first (config.ts RecoveryStrategy). */
  recovery: RecoveryStrategy;
  signaling: SignalingClient;
  iceConfig(): Promise<RTCConfiguration>;
  on: PeerLinkEvents;
  log(msg: string): void;
}

const HEARTBEAT = JSON.stringify({ type: 'heartbeat', seq: 0 });
/** A receiver's request-peer that arrives this soon after we started an attempt is that attempt's echo. */
const REQUEST_DEDUP_MS = 2_000;

/** An ICE restart in progress on the current connection (one silence, up to ICE_RESTART_ATTEMPTS tries). */
interface IceRestart {
  /** When the silence was declared (performance.now()). */
  sinceMs: number;
  /** When the latest try started. */
  tryStartedMs: number;
  tries: number;
}

/**
 * One logical link to the other peer that survives any number of dead connections.
 *
 * The sender is always the initiator. Every attempt is a new simple-peer with a fresh generation
 * id. A dead path is detected by our own heartbeat (the DataChannel stays `open` on a cut path),
 * by simple-peer's close/error (ICE `failed`), or by a connect timeout.
 *
 * Recovery (config.ts RecoveryStrategy; measured by `npm run bench:recovery`):
 * - `new-peer` (the default): a new simple-peer over signaling with backoff; the receiver asks
 *   for one with `request-peer`. Also what happens after simple-peer destroyed the connection on
 *   ICE `failed`, or when ICE restarts bring nothing back.
 * - `ice-restart`: the sender restarts ICE on the same connection (the receiver asks for it with
 *   `restart-ice`), so the DataChannel and its SCTP association survive and nothing in flight is
 *   sent again; a restart that brings nothing back within ICE_RESTART_TIMEOUT_MS is tried again,
 *   and after ICE_RESTART_ATTEMPTS the link falls back to a new peer.
 */
export class PeerLink {
  private peer: SimplePeer.Instance | undefined;
  private gen = '';
  private remote: string | undefined;
  private port: (ChannelPort & { kill(): void }) | undefined;
  /** The signaling peer id at the other end of each connection, and those already expelled. */
  private readonly portPeers = new WeakMap<ChannelPort, string>();
  private readonly expelled = new WeakSet<ChannelPort>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeardMs = 0;
  private closed = false;
  private everConnected = false;
  private attemptStartedMs = -Infinity;
  private iceErrorsOfAttempt: IceServerError[] = [];
  /** Offer/answer already applied in this generation, by type and ICE ufrag (duplicates are dropped). */
  private sdpApplied = new Set<string>();
  private restart: IceRestart | undefined;
  /** When the sender last restarted ICE (its own silence or the receiver's request). */
  private lastRestartMs = -Infinity;
  /** When a rebuild started after a connection was lost, to report how long the path was down. */
  private lostAtMs: number | undefined;
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

  /**
   * The peer on `port` failed to prove the session key (SEC-1): have signaling take its room slot,
   * so it cannot keep the real peer out of the room. The connection itself is left as it is: the
   * session refuses everything on it, and the real peer's arrival replaces it.
   */
  expel(port: ChannelPort): void {
    const peerId = this.portPeers.get(port);
    if (peerId === undefined || this.expelled.has(port)) return;
    this.expelled.add(port);
    this.opts.log(`asking signaling to remove ${peerId} from the room: it did not prove the session key`);
    this.opts.signaling.kick(peerId);
  }

  close(): void {
    this.closed = true;
    this.teardown();
    this.setState('closed', 'closed by the app');
  }

  private handleSignal(signal: PeerSignal): void {
    if (signal.kind === 'restart-ice') {
      if (this.opts.role === 'sender' && signal.gen === this.gen && this.peer && this.port) this.onRemoteRestartRequest(this.peer);
      return;
    }
    if (signal.kind === 'request-peer') {
      if (this.opts.role !== 'sender') return;
      // A request that crosses an attempt we just started is already being answered.
      if (!this.port && performance.now() - this.attemptStartedMs < REQUEST_DEDUP_MS) return;
      this.startAttempt('the receiver asked for a new connection');
      return;
    }
    if (signal.gen === this.gen) {
      // Signaling may deliver a message twice; applying an offer/answer twice breaks the peer. An
      // ICE restart's offer/answer has new credentials, so the ufrag tells it from a duplicate.
      const kind = signal.payload.type;
      if (kind === 'offer' || kind === 'answer') {
        const key = `${kind}:${iceUfrag(signal.payload)}`;
        if (this.sdpApplied.has(key)) return;
        this.sdpApplied.add(key);
      }
      if (this.peer) this.peer.signal(signal.payload);
      else this.pending.push(signal.payload);
      return;
    }
    if (this.opts.role === 'receiver' && signal.payload.type === 'offer') {
      this.createPeer(signal.gen, false, signal.payload);
      this.sdpApplied.add(`offer:${iceUfrag(signal.payload)}`);
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
      if (this.lostAtMs !== undefined) this.opts.on.recovered('new-peer', this.lastHeardMs - this.lostAtMs);
      this.lostAtMs = undefined;
      this.port = this.makePort(peer, gen);
      this.portPeers.set(this.port, remote);
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
      if (this.restart) {
        this.followRestart(peer);
        if (this.peer !== peer) return;
      } else if (silentMs > LIVENESS_TIMEOUT_MS) {
        if (this.opts.recovery === 'new-peer') {
          this.markDown(peer, `nothing heard for ${LIVENESS_TIMEOUT_MS} ms`);
          return;
        }
        this.beginRestart(peer);
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

  /** The path went silent: keep the connection and restart its ICE (the sender does; the receiver asks). */
  private beginRestart(peer: SimplePeer.Instance): void {
    this.restart = { sinceMs: this.lastHeardMs, tryStartedMs: performance.now(), tries: 0 };
    this.setState('reconnecting', `nothing heard for ${LIVENESS_TIMEOUT_MS} ms: ICE restart`);
    this.tryRestart(peer);
  }

  private tryRestart(peer: SimplePeer.Instance): void {
    const r = this.restart!;
    r.tries += 1;
    r.tryStartedMs = performance.now();
    this.opts.log(`ICE restart ${r.tries}/${ICE_RESTART_ATTEMPTS} on connection ${this.gen.slice(0, 8)}`);
    if (this.opts.role === 'receiver') {
      // Only the initiator makes offers in simple-peer: ask it.
      if (this.remote) this.opts.signaling.sendSignal(this.remote, { kind: 'restart-ice', gen: this.gen } satisfies PeerSignal);
      return;
    }
    // A restart the receiver asked for moments ago is this one: its offer is already out.
    if (performance.now() - this.lastRestartMs < ICE_RESTART_TIMEOUT_MS) return;
    this.restartIce(peer);
  }

  /** Sender only. */
  private restartIce(peer: SimplePeer.Instance): void {
    this.lastRestartMs = performance.now();
    try {
      // restartIce() makes the next offer carry new ICE credentials; negotiate() makes simple-peer
      // send it (or queue it behind an offer still unanswered).
      peerConnectionOf(peer)?.restartIce();
      negotiate(peer);
    } catch (err) {
      this.markDown(peer, `ICE restart impossible: ${String(err)}`);
    }
  }

  /**
   * The receiver hears nothing. We may still hear it (a one-way cut), so this restarts ICE without
   * entering our own restart: the receiver decides when its path is back, and asks again if not.
   */
  private onRemoteRestartRequest(peer: SimplePeer.Instance): void {
    if (this.opts.recovery === 'new-peer') return;
    if (performance.now() - this.lastRestartMs < ICE_RESTART_TIMEOUT_MS) return; // one is already under way
    this.opts.log(`the receiver hears nothing: ICE restart on connection ${this.gen.slice(0, 8)}`);
    this.restartIce(peer);
  }

  /** Each heartbeat tick during a restart: recovered, try again, or give up for a new peer. */
  private followRestart(peer: SimplePeer.Instance): void {
    const r = this.restart!;
    const now = performance.now();
    if (this.lastHeardMs > r.sinceMs) {
      this.restart = undefined;
      const silentMs = this.lastHeardMs - r.sinceMs;
      this.opts.log(`path back on connection ${this.gen.slice(0, 8)} after ICE restart (${r.tries} tries, silent ${Math.round(silentMs)} ms)`);
      this.setState('connected', `generation ${this.gen.slice(0, 8)}, ICE restarted`);
      this.opts.on.recovered('ice-restart', silentMs);
      return;
    }
    if (now - r.tryStartedMs < ICE_RESTART_TIMEOUT_MS) return;
    if (r.tries < ICE_RESTART_ATTEMPTS) this.tryRestart(peer);
    else this.markDown(peer, `${r.tries} ICE restarts brought nothing back in ${Math.round(now - r.sinceMs)} ms`);
  }

  private markDown(peer: SimplePeer.Instance, reason: string): void {
    if (this.peer !== peer || this.closed) return;
    this.opts.log(`connection ${this.gen.slice(0, 8)} down: ${reason}`);
    const hadPort = this.port !== undefined;
    if (hadPort) this.lostAtMs ??= this.restart?.sinceMs ?? this.lastHeardMs;
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
    this.restart = undefined;
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
