import type { ClientMessage, ServerMessage } from '../../signaling/protocol.js';
import { backoffDelayMs } from './backoff.js';

export type SignalingStatus =
  | { state: 'connecting'; attempt: number }
  | { state: 'joined'; peers: string[] }
  | { state: 'offline'; retryInMs: number; attempt: number; reason: string };

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

  constructor(
    private readonly url: string,
    private readonly room: string,
    readonly peerId: string,
    private readonly token: string,
    private readonly on: SignalingEvents,
  ) {}

  start(): void {
    this.connect();
  }

  get isJoined(): boolean {
    return this.joined;
  }

  /** Sends to the other peer; while offline, signals wait and go out after the rejoin. */
  sendSignal(to: string, data: unknown): void {
    const msg: ClientMessage = { type: 'signal', to, data };
    if (this.joined && this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
    else this.outbox.push(msg);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.ws?.close(1000, 'bye');
  }

  private connect(): void {
    this.on.status({ state: 'connecting', attempt: this.attempt });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.scheduleReconnect(String(err));
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const join: ClientMessage = { type: 'join', room: this.room, peerId: this.peerId, token: this.token };
      ws.send(JSON.stringify(join));
    };
    ws.onmessage = (ev) => {
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
      case 'error':
        this.on.error(msg.code, msg.message);
        break;
      case 'pong':
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
