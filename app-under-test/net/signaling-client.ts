import type { ClientMessage, ServerMessage } from '../../signaling/protocol.js';
import { HEALTH_PROBE_TIMEOUT_MS, SIGNALING_DEAD_AFTER_MS, SIGNALING_PING_INTERVAL_MS } from '../config.js';
import { backoffDelayMs } from './backoff.js';

export type SignalingStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'joined'; peers: string[] }
  | { state: 'offline'; retryInMs: number; attempt: number; reason: string }
  /** The room is full (someone holds the slot we had): the join is tried again after `retryInMs`. */
  | { state: 'room-full'; retryInMs: number; attempt: number }
  /** Another peer of the room took our slot (SEC-1): we stay out until the page is opened again. */
  | { state: 'kicked'; by: string };

export interface SignalingEvents {
  status(s: SignalingStatus): void;
  peerJoined(peerId: string, rejoined: boolean): void;
  peerLeft(peerId: string): void;
  signal(from: string, data: unknown): void;
  error(code: string, message: string): void;
}

/**
 * A signaling connection that never gives up: when the socket closes it reconnects with backoff
 * and rejoins the room under the same peer id, so the server (even a restarted one) sees a rejoin.
 */
export class SignalingClient {
  private ws: WebSocket | undefined;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private joined = false;
  private readonly outbox: ClientMessage[] = [];
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private lastPongMs = 0;
  /** Joins refused with ERR_ROOM_FULL in a row, on this socket. */
  private fullAttempt = 0;
  private joinTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly room: string,
    readonly peerId: string,
    private readonly token: string,
    private readonly on: SignalingEvents,
  ) {}

  start(): void {
    // The browser knows before the socket does: an 'offline' socket can look open for minutes.
    addEventListener('offline', this.onOffline);
    addEventListener('online', this.onOnline);
    this.connect();
  }

  private readonly onOffline = (): void => {
    const ws = this.ws;
    this.ws = undefined;
    this.joined = false;
    ws?.close(4001, 'browser offline');
    this.scheduleReconnect('the browser is offline');
  };

  private readonly onOnline = (): void => {
    if (this.joined) return;
    // Back online: try now rather than at the end of a long backoff.
    this.attempt = 0;
    clearTimeout(this.timer);
    this.connect();
  };

  get isJoined(): boolean {
    return this.joined;
  }

  /** Sends to the other peer; while offline, signals wait and go out after the rejoin. */
  sendSignal(to: string, data: unknown): void {
    const msg: ClientMessage = { type: 'signal', to, data };
    if (this.joined && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
    else this.outbox.push(msg);
  }

  /**
   * Asks the server to take `peerId`'s slot in the room: we refused it (it could not prove the
   * session key) and it must not keep the real peer out. Only honoured when it entered after us.
   */
  kick(peerId: string): void {
    const msg: ClientMessage = { type: 'kick', peerId };
    if (this.joined && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
    else this.outbox.push(msg);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.joinTimer);
    removeEventListener('offline', this.onOffline);
    removeEventListener('online', this.onOnline);
    clearInterval(this.keepalive);
    clearTimeout(this.timer);
    this.ws?.close(1000, 'bye');
  }

  private connect(): void {
    this.on.status({ state: 'connecting', attempt: this.attempt });
    // Chromium (and Firefox) throttle WebSocket handshakes to an address after each failure
    // (RFC 6455 §7.2.3): delays grow to seconds, and handshakes started during an outage can hang
    // long after the server is back. So we knock with plain HTTP first, which is not throttled,
    // and open a WebSocket only when the server answers.
    void this.serverAnswers().then((up) => {
      if (this.closed) return;
      if (up) this.openSocket();
      else this.scheduleReconnect('signaling server unreachable');
    });
  }

  private async serverAnswers(): Promise<boolean> {
    const url = new URL('/healthz', this.url.replace(/^ws/, 'http'));
    try {
      // no-cors: we only need to know that something answered, not what.
      await fetch(url, { mode: 'no-cors', cache: 'no-store', signal: AbortSignal.timeout(HEALTH_PROBE_TIMEOUT_MS) });
      return true;
    } catch {
      return false;
    }
  }

  private openSocket(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.scheduleReconnect(String(err));
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.fullAttempt = 0;
      this.sendJoin(ws);
      this.lastPongMs = performance.now();
      clearInterval(this.keepalive);
      // A server behind a dead path never closes the socket; our own ping notices.
      this.keepalive = setInterval(() => {
        if (this.ws !== ws) return clearInterval(this.keepalive);
        if (performance.now() - this.lastPongMs > SIGNALING_DEAD_AFTER_MS) {
          this.ws = undefined;
          this.joined = false;
          ws.close(4002, 'no pong');
          this.scheduleReconnect(`no answer from signaling for ${SIGNALING_DEAD_AFTER_MS / 1000} s`);
          return;
        }
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping' } satisfies ClientMessage));
      }, SIGNALING_PING_INTERVAL_MS);
    };
    ws.onmessage = (ev) => {
      this.lastPongMs = performance.now();
      if (typeof ev.data !== 'string') return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      this.handle(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.joined = false;
      if (!this.closed) this.scheduleReconnect(ev.reason || `socket closed (${ev.code})`);
    };
  }

  private sendJoin(ws: WebSocket): void {
    const join: ClientMessage = { type: 'join', room: this.room, peerId: this.peerId, token: this.token };
    ws.send(JSON.stringify(join));
  }

  /**
   * The room is full: a stranger may hold the slot until the peer in the room kicks it (SEC-1),
   * so the join is tried again on the same socket, with backoff, until it is admitted.
   */
  private retryJoin(): void {
    const ws = this.ws;
    const delay = backoffDelayMs(this.fullAttempt);
    this.on.status({ state: 'room-full', retryInMs: delay, attempt: this.fullAttempt });
    this.fullAttempt++;
    clearTimeout(this.joinTimer);
    this.joinTimer = setTimeout(() => {
      if (this.ws === ws && ws?.readyState === WebSocket.OPEN && !this.joined && !this.closed) this.sendJoin(ws);
    }, delay);
  }

  private handle(msg: ServerMessage): void {
    switch (msg.type) {
      case 'welcome':
        this.joined = true;
        this.attempt = 0;
        this.on.status({ state: 'joined', peers: msg.peers });
        for (const p of msg.peers) this.on.peerJoined(p, false);
        for (const queued of this.outbox.splice(0)) this.ws?.send(JSON.stringify(queued));
        break;
      case 'peer-joined':
        this.on.peerJoined(msg.peerId, msg.rejoined);
        break;
      case 'peer-left':
        this.on.peerLeft(msg.peerId);
        break;
      case 'signal':
        this.on.signal(msg.from, msg.data);
        break;
      case 'going-away':
        this.ws?.close(1000, msg.reason);
        break;
      case 'kicked':
        // The server closes the socket next; we must not come back on our own.
        this.joined = false;
        this.close();
        this.on.status({ state: 'kicked', by: msg.by });
        break;
      case 'error':
        this.on.error(msg.code, msg.message);
        if (msg.code === 'ERR_ROOM_FULL' && msg.inReplyTo === 'join' && !this.joined) this.retryJoin();
        break;
      case 'pong':
        this.lastPongMs = performance.now();
        break;
    }
  }

  private scheduleReconnect(reason: string): void {
    const delay = backoffDelayMs(this.attempt);
    this.on.status({ state: 'offline', retryInMs: delay, attempt: this.attempt, reason });
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
