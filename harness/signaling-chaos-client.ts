/**
 * Plain ws clients of the signaling server, for tests and the bench that drive it from Node:
 * `SignalingTestClient` sends whatever it is told (hostile frames included) and queues what comes
 * back; `ReconnectingSignalingClient` behaves like the app's client (reconnect with backoff, rejoin
 * under the same id and token), to prove recovery after the server is killed or chaos cuts it.
 */
import { WebSocket, type ClientOptions } from 'ws';

import type { ServerMessage } from '../signaling/protocol.js';

export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** Generous for a loopback socket on a loaded machine, short enough to fail a test quickly. */
export const DEFAULT_MESSAGE_TIMEOUT_MS = 5_000;

export interface CloseInfo {
  code: number;
  reason: string;
}

/** Parses a server frame; a frame that is not JSON is a bug in the server, so it throws. */
function parseServerFrame(data: unknown): ServerMessage {
  return JSON.parse(String(data)) as ServerMessage;
}

export class SignalingTestClient {
  /** Messages not yet taken by next(). */
  readonly received: ServerMessage[] = [];
  /** Every message, in arrival order; never emptied. */
  readonly history: ServerMessage[] = [];
  readonly closed: Promise<CloseInfo>;
  closeInfo: CloseInfo | undefined;
  private waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = parseServerFrame(data);
      this.received.push(msg);
      this.history.push(msg);
      this.wake();
    });
    // Errors (refused connection, reset) also surface as a close, which callers check.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      }),
    );
  }

  static async open(url: string, opts?: ClientOptions): Promise<SignalingTestClient> {
    const client = new SignalingTestClient(new WebSocket(url, { perMessageDeflate: false, ...opts }));
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(msg: object | string): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  sendBinary(data: Buffer): void {
    this.ws.send(data, { binary: true });
  }

  /** Resolves when a message arrives or the socket closes, or after `ms`. */
  waitForActivity(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Takes the first queued message matching `type` (and `pred`), waiting for it if need be. */
  async next<T extends ServerMessage['type']>(
    type: T,
    pred: (m: ServerMessageOf<T>) => boolean = () => true,
    timeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS,
  ): Promise<ServerMessageOf<T>> {
    return (await this.take((m) => m.type === type && pred(m as ServerMessageOf<T>), `'${type}'`, timeoutMs)) as ServerMessageOf<T>;
  }

  /** Takes the first queued message that `matches`, waiting for one if need be. */
  async take(matches: (m: ServerMessage) => boolean, what: string, timeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(matches);
      if (i !== -1) return this.received.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      const got = JSON.stringify(this.received).slice(0, 500);
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; got ${got}`);
      if (this.closeInfo !== undefined) throw new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) before ${what}; got ${got}`);
      await this.waitForActivity(left);
    }
  }

  /** A ping round trip: proves the socket is open and everything sent before it was processed. */
  async roundTrip(id: number, timeoutMs?: number): Promise<void> {
    this.send({ type: 'ping', id });
    await this.next('pong', (m) => m.id === id, timeoutMs);
  }

  /**
   * Joins like a well-behaved client: on ERR_RATE_LIMITED it waits `retryAfterMs` and tries again
   * (until `timeoutMs`); any other error rejects.
   */
  async join(room: string, peerId: string, token: string, timeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS): Promise<ServerMessageOf<'welcome'>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.send({ type: 'join', room, peerId, token });
      const reply = await this.take(
        (m) => (m.type === 'welcome' && m.room === room) || (m.type === 'error' && m.inReplyTo === 'join'),
        `an answer to joining ${room}`,
        Math.max(1, deadline - Date.now()),
      );
      if (reply.type === 'welcome') return reply;
      if (reply.type !== 'error') throw new Error(`unexpected ${reply.type}`); // `take` only matches the two
      if (reply.code !== 'ERR_RATE_LIMITED' || Date.now() > deadline) throw new Error(`join ${room} as ${peerId} refused: ${reply.code}: ${reply.message}`);
      await new Promise((resolve) => setTimeout(resolve, reply.retryAfterMs ?? 100));
    }
  }

  close(): void {
    this.ws.terminate();
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export interface ReconnectingClientOptions {
  url: string;
  room: string;
  peerId: string;
  token: string;
  /** First retry delay; doubles per failed attempt up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Reconnects whenever its socket closes (kill, restart, chaos) and rejoins with the same id and
 * token, like the app's SignalingClient. Counts what happened, for assertions.
 */
export class ReconnectingSignalingClient {
  current: SignalingTestClient | undefined;
  /** Welcomes received, one per successful (re)join. */
  readonly welcomes: ServerMessageOf<'welcome'>[] = [];
  readonly signals: ServerMessageOf<'signal'>[] = [];
  readonly errors: ServerMessageOf<'error'>[] = [];
  readonly closes: CloseInfo[] = [];
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<() => void>();
  /** The socket the last welcome came on; `joined` only while it is the current one. */
  private joinedSocket: SignalingTestClient | undefined;

  constructor(private readonly opts: ReconnectingClientOptions) {}

  start(): void {
    void this.connect();
  }

  get joined(): boolean {
    return this.current?.isOpen === true && this.welcomes.length > 0 && this.joinedSocket === this.current;
  }

  /** Resolves once joined with at least `count` welcomes in total. */
  async waitForWelcomes(count: number, timeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS): Promise<void> {
    await this.waitUntil(() => this.welcomes.length >= count && this.joined, timeoutMs, `${count} welcome(s) for ${this.opts.peerId}`);
  }

  async waitForSignals(count: number, timeoutMs = DEFAULT_MESSAGE_TIMEOUT_MS): Promise<void> {
    await this.waitUntil(() => this.signals.length >= count, timeoutMs, `${count} signal(s) for ${this.opts.peerId}`);
  }

  sendSignal(to: string, data: unknown): void {
    this.current?.send({ type: 'signal', to, data });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.current?.close();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let client: SignalingTestClient;
    try {
      client = await SignalingTestClient.open(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return client.close();
    this.current = client;
    client.ws.on('message', () => this.collect(client));
    void client.closed.then((info) => {
      this.closes.push(info);
      this.notify();
      if (this.current === client) this.scheduleReconnect();
    });
    client.send({ type: 'join', room: this.opts.room, peerId: this.opts.peerId, token: this.opts.token });
  }

  /** Moves what the socket received into the counters; runs after the socket's own handler. */
  private collect(client: SignalingTestClient): void {
    for (const msg of client.received.splice(0)) {
      if (msg.type === 'welcome') {
        this.attempt = 0;
        this.joinedSocket = client;
        this.welcomes.push(msg);
      } else if (msg.type === 'signal') this.signals.push(msg);
      else if (msg.type === 'error') this.errors.push(msg);
      else if (msg.type === 'going-away') client.ws.close(1000, 'going away');
    }
    this.notify();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const min = this.opts.minDelayMs ?? 50;
    const delay = Math.min(this.opts.maxDelayMs ?? 1_000, min * 2 ** this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; errors: ${JSON.stringify(this.errors).slice(0, 300)}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }
}
