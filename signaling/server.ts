import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebSocket, WebSocketServer, type RawData } from 'ws';

import { createLogger, type Logger } from '../lib/log.js';
import { handleChaosRequest, type Reply } from './chaos-api.js';
import type { ChaosConfig } from './chaos-protocol.js';
import { ChaosEngine } from './chaos.js';
import { DelayQueue } from './delay-queue.js';
import { DEFAULT_LIMITS, type SignalingLimits } from './limits.js';
import {
  CLOSE_CODES,
  MAX_PEERS_PER_ROOM,
  type ClientMessage,
  type ErrorMessage,
  type PeerLeftMessage,
  type RelayedSignalMessage,
  type ServerMessage,
  type SignalingErrorCode,
} from './protocol.js';
import { KeyedBuckets, StrikeCounter, TokenBucket } from './rate-limit.js';
import { RoomRegistry, type JoinRefusal } from './rooms.js';
import { digestSecret } from './secret.js';
import { parseClientFrame } from './validate.js';

/** Browsers answer ws pings by themselves, so this catches dead peers without app help. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
/**
 * ws drops a socket (1009) once a frame passes soft limit + this slack, without buffering it.
 * Between the two limits the frame is read and answered with ERR_FRAME_TOO_LARGE, so a client
 * that oversteps a little learns why; one that oversteps a lot cannot make us buffer it.
 */
export const HARD_CAP_SLACK_BYTES = 16 * 1024;
/** How long a socket we close may take to answer the close handshake before it is cut. */
const CLOSE_HANDSHAKE_GRACE_MS = 1_000;
/** A peer that lets this much of our output pile up is not reading: it is cut, not buffered for. */
const MAX_SEND_BUFFER_BYTES = 1024 * 1024;
/** Per-IP join buckets kept at most; idle ones are swept at each heartbeat anyway. */
const MAX_TRACKED_IPS = 100_000;
/** Signals held back by chaos latency for one receiver; past this they are dropped (and logged). */
const MAX_DELAYED_PER_CONN = 10_000;

export interface SignalingServerOptions {
  host: string;
  /** 0 picks a free port; read the chosen one from `port`. */
  port: number;
  heartbeatIntervalMs?: number;
  /** Overrides for DEFAULT_LIMITS (limits.ts); trusted as given (the CLI validates its input). */
  limits?: Partial<SignalingLimits>;
  /** Enables the chaos API (chaos-protocol.ts) under this key. Absent: the API answers 404. */
  chaosKey?: string;
  /** Chaos in force from the start (validated already); off when absent. */
  chaos?: ChaosConfig;
  /** Randomness for chaos decisions; injectable for tests. */
  random?: () => number;
}

export interface SignalingServer {
  /** ws://host:port */
  readonly url: string;
  /** http://host:port (GET /healthz) */
  readonly httpUrl: string;
  readonly port: number;
  /** Cuts every socket and stops listening. Idempotent. */
  close(): Promise<void>;
  /** Tells every client `going-away` with `reason`, closes them with 1001, stops listening. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

export type SignalingServerErrorCode = 'ERR_PORT_IN_USE' | 'ERR_LISTEN';

/** The server could not start listening. The message is one line, fit for a CLI to print. */
export class SignalingServerError extends Error {
  constructor(
    readonly code: SignalingServerErrorCode,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super(`${code}: ${message}`, opts);
    this.name = 'SignalingServerError';
  }
}

interface Conn {
  readonly ws: WebSocket;
  readonly ip: string;
  membership: { room: string; peerId: string } | undefined;
  /** Cleared at each heartbeat ping, set by the pong. */
  alive: boolean;
  /** What the others are told when this socket closes. */
  closeReason: 'disconnected' | 'timeout';
  log: Logger;
  readonly closed: Promise<void>;
  readonly messages: TokenBucket;
  readonly joins: TokenBucket;
  readonly strikes: StrikeCounter;
  /** Set when we decided to close it (abuse, capacity): its further frames are not read. */
  refused: boolean;
  /** Signals held back for it by chaos latency. */
  readonly delayed: DelayQueue<RelayedSignalMessage>;
}

const log = createLogger('signaling');

/** Runs a handler so that no input, however odd, can throw out of an event callback. */
function guarded(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log(`${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

function toFrame(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  return Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function send(conn: Conn, msg: ServerMessage): void {
  if (conn.ws.readyState !== WebSocket.OPEN) return;
  if (conn.ws.bufferedAmount > MAX_SEND_BUFFER_BYTES) {
    conn.log(`not reading (${conn.ws.bufferedAmount} bytes queued); cutting it`);
    conn.ws.terminate();
    return;
  }
  conn.ws.send(JSON.stringify(msg));
}

function sendError(conn: Conn, code: SignalingErrorCode, message: string, inReplyTo: ClientMessage['type']): void {
  send(conn, { type: 'error', code, message, inReplyTo });
}

const REFUSAL_ERRORS: Record<JoinRefusal, SignalingErrorCode> = {
  unauthorized: 'ERR_UNAUTHORIZED',
  'room-full': 'ERR_ROOM_FULL',
  'too-many-rooms': 'ERR_SERVER_FULL',
  'too-many-peers': 'ERR_SERVER_FULL',
};

/** Close politely, but never wait on a peer that no longer answers. */
function closeSoon(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_GRACE_MS).unref();
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const where = `${host}:${port}`;
      reject(
        err.code === 'EADDRINUSE'
          ? new SignalingServerError('ERR_PORT_IN_USE', `${where} is in use; pick another --port`, { cause: err })
          : new SignalingServerError('ERR_LISTEN', `cannot listen on ${where}: ${err.code ?? err.message}`, { cause: err }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export async function createSignalingServer(opts: SignalingServerOptions): Promise<SignalingServer> {
  const limits: SignalingLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const heartbeatMs = opts.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const startedAtMs = Date.now();
  const rooms = new RoomRegistry<Conn>({ maxRooms: limits.maxRooms, maxPeers: limits.maxPeers });
  const conns = new Set<Conn>();
  const connsPerIp = new Map<string, number>();
  const ipJoins = new KeyedBuckets(limits.joinsPerSecondPerIp, limits.joinBurstPerIp, MAX_TRACKED_IPS);
  const chaos = new ChaosEngine(opts.random);
  if (opts.chaos !== undefined) chaos.set(opts.chaos);
  // Only a digest of the key is kept; an empty key would be no key at all.
  const chaosKeyDigest = opts.chaosKey ? digestSecret(opts.chaosKey) : undefined;
  let stopping: Promise<void> | undefined;
  /** Set the moment a stop begins, before any socket close event can fire. */
  let closing = false;

  const httpServer = http.createServer((req, res) =>
    guarded('http request', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const reply: Reply = (status, body, headers = {}) => {
        if (res.headersSent) return;
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
        res.end(JSON.stringify(body));
      };
      const chaosRequest = handleChaosRequest(req, path, reply, chaosKeyDigest, chaos);
      if (chaosRequest !== false) {
        chaosRequest.catch((err: unknown) => {
          log(`chaos API request failed: ${String(err)}`);
          reply(500, { ok: false, error: 'internal error; see the server log' });
        });
        return;
      }
      if (path !== '/healthz') return reply(404, { ok: false, error: 'not found; try GET /healthz' });
      if (req.method !== 'GET') return reply(405, { ok: false, error: 'use GET' });
      reply(200, {
        ok: true,
        rooms: rooms.roomCount,
        peers: rooms.peerCount,
        connections: conns.size,
        rssBytes: process.memoryUsage.rss(),
        uptimeMs: Date.now() - startedAtMs,
      });
    }),
  );
  // perMessageDeflate stays off (the ws default): compressed frames would make the size cap moot.
  // `conns` is the one list of sockets, so ws need not keep a second one.
  const wss = new WebSocketServer({ server: httpServer, maxPayload: limits.maxFrameBytes + HARD_CAP_SLACK_BYTES, clientTracking: false });
  // ws re-emits http server errors here; without a listener they would crash the process.
  wss.on('error', (err) => log(`server error: ${err.message}`));

  function depart(conn: Conn, reason: PeerLeftMessage['reason']): void {
    const membership = conn.membership;
    if (membership === undefined) return;
    conn.membership = undefined;
    const { room, peerId } = membership;
    const remaining = rooms.leave(room, peerId, conn, { remember: reason !== 'left' });
    conn.log(`left ${room}: ${reason}`);
    // During shutdown everyone already heard going-away; a burst of peer-left would be noise.
    if (remaining === undefined || closing) return;
    for (const other of remaining) send(other, { type: 'peer-left', peerId, reason });
  }

  /**
   * A frame over a rate limit: refused with ERR_RATE_LIMITED. A socket that keeps at it is closed
   * with 1008 rather than answered forever: our replies must not become the flood.
   */
  function refuseForRate(conn: Conn, why: string, retryAfterMs: number, inReplyTo?: string): void {
    const msg: ErrorMessage = { type: 'error', code: 'ERR_RATE_LIMITED', message: why, retryAfterMs };
    if (inReplyTo !== undefined) msg.inReplyTo = inReplyTo;
    if (conn.strikes.strike()) {
      conn.refused = true;
      msg.message = `${why}; closing: over ${limits.rateLimitStrikes} frames refused within ${limits.rateLimitStrikeWindowMs} ms`;
      conn.log('kept flooding past the rate limit; closing with 1008');
      send(conn, msg);
      closeSoon(conn.ws, CLOSE_CODES.RATE_LIMITED, 'rate limit exceeded');
      return;
    }
    send(conn, msg);
  }

  /** Charges one frame (or ws ping) to the socket's bucket; false when it was refused. */
  function admit(conn: Conn): boolean {
    if (conn.refused) return false; // closing already: nothing it sends is read any more
    if (conn.messages.take()) return true;
    refuseForRate(conn, `over ${limits.messagesPerSecond} frames/s (burst ${limits.messageBurst}); slow down`, conn.messages.retryAfterMs());
    return false;
  }

  function onJoin(conn: Conn, room: string, peerId: string, token: string): void {
    if (conn.membership !== undefined) {
      const { room: r, peerId: p } = conn.membership;
      return sendError(conn, 'ERR_ALREADY_IN_ROOM', `this socket already joined room ${r} as ${p}; send leave first`, 'join');
    }
    if (!conn.joins.take()) {
      return refuseForRate(conn, `over ${limits.joinsPerSecondPerSocket} joins/s on this socket (burst ${limits.joinBurstPerSocket})`, conn.joins.retryAfterMs(), 'join');
    }
    const ipBucket = ipJoins.bucket(conn.ip);
    if (!ipBucket.take()) {
      return refuseForRate(conn, `over ${limits.joinsPerSecondPerIp} joins/s from ${conn.ip} (burst ${limits.joinBurstPerIp})`, ipBucket.retryAfterMs(), 'join');
    }
    const outcome = rooms.join(room, peerId, token, conn);
    if (!outcome.ok) {
      conn.log(`join ${room} as ${peerId} refused: ${outcome.reason}`);
      return sendError(conn, REFUSAL_ERRORS[outcome.reason], refusalMessage(outcome.reason, room), 'join');
    }
    conn.membership = { room, peerId };
    conn.log = createLogger('signaling', peerId);
    conn.log(`joined ${room}${outcome.rejoined ? ' (rejoin)' : ''}`);
    if (outcome.replaced !== undefined) {
      // Detach first, so the old socket's close is not reported as this peer leaving.
      outcome.replaced.membership = undefined;
      closeSoon(outcome.replaced.ws, CLOSE_CODES.REPLACED, 'replaced');
    }
    send(conn, { type: 'welcome', room, peerId, peers: outcome.peers, rejoined: outcome.rejoined });
    for (const other of rooms.others(room, peerId)) send(other, { type: 'peer-joined', peerId, rejoined: outcome.rejoined });
  }

  function refusalMessage(reason: JoinRefusal, room: string): string {
    switch (reason) {
      case 'unauthorized':
        return `wrong token for room ${room}; use the token from the room's link`;
      case 'room-full':
        return `room ${room} already holds ${MAX_PEERS_PER_ROOM} peers`;
      case 'too-many-rooms':
        return `the server holds its limit of ${limits.maxRooms} rooms; try again later`;
      case 'too-many-peers':
        return `the server holds its limit of ${limits.maxPeers} peers; try again later`;
    }
  }

  /** SEC-1: a peer frees the slot of one that entered the room after it (protocol.ts KickMessage). */
  function onKick(conn: Conn, target: string): void {
    if (conn.membership === undefined) return sendError(conn, 'ERR_NOT_IN_ROOM', 'join a room before sending kick', 'kick');
    const { room, peerId } = conn.membership;
    if (target === peerId) return sendError(conn, 'ERR_BAD_MESSAGE', "'peerId' must name another peer, not yourself; send leave to go", 'kick');
    const outcome = rooms.kick(room, peerId, target);
    if (!outcome.ok) {
      conn.log(`kick of ${target} refused: ${outcome.reason}`);
      if (outcome.reason === 'unknown-peer') return sendError(conn, 'ERR_UNKNOWN_PEER', `no peer ${target} in room ${room} (it may have left already)`, 'kick');
      return sendError(conn, 'ERR_FORBIDDEN', `${target} was in room ${room} before you; only a peer that entered after you can be kicked`, 'kick');
    }
    const kicked = outcome.kicked;
    // Detached first, so its socket's close is not reported again as a departure (or remembered).
    kicked.membership = undefined;
    kicked.log(`kicked from ${room} by ${peerId}`);
    send(kicked, { type: 'kicked', room, by: peerId });
    closeSoon(kicked.ws, CLOSE_CODES.KICKED, `kicked by ${peerId}`);
    for (const other of rooms.others(room, target)) send(other, { type: 'peer-left', peerId: target, reason: 'kicked' });
  }

  function onSignal(conn: Conn, to: string, data: unknown): void {
    if (conn.membership === undefined) return sendError(conn, 'ERR_NOT_IN_ROOM', 'join a room before sending signal', 'signal');
    const { room, peerId } = conn.membership;
    if (to === peerId) return sendError(conn, 'ERR_BAD_MESSAGE', "'to' must name another peer, not yourself", 'signal');
    const target = rooms.peer(room, to);
    if (target === undefined) return sendError(conn, 'ERR_UNKNOWN_PEER', `no peer ${to} in room ${room}`, 'signal');
    const msg: RelayedSignalMessage = { type: 'signal', from: peerId, data };
    const decision = chaos.decide(room);
    if (decision.action === 'disconnect') {
      conn.log('chaos: cutting the sender');
      conn.ws.terminate();
    } else if (decision.action === 'relay') {
      if (decision.delayMs === 0 && target.delayed.size === 0) send(target, msg);
      else if (!target.delayed.push(msg, decision.delayMs)) target.log(`chaos: ${MAX_DELAYED_PER_CONN} signals already held back; dropping one`);
    }
    // 'drop': the point of chaos is that nobody hears of it.
  }

  function onMessage(conn: Conn, raw: RawData, isBinary: boolean): void {
    // Charged before any parsing, so a flood costs one counter update per frame.
    if (!admit(conn)) return;
    const parsed = parseClientFrame(toFrame(raw), isBinary, limits.maxFrameBytes);
    if (!parsed.ok) return send(conn, parsed.error);
    const msg = parsed.msg;
    switch (msg.type) {
      case 'join':
        return onJoin(conn, msg.room, msg.peerId, msg.token);
      case 'signal':
        return onSignal(conn, msg.to, msg.data);
      case 'leave':
        if (conn.membership === undefined) return sendError(conn, 'ERR_NOT_IN_ROOM', 'not in a room', 'leave');
        return depart(conn, 'left');
      case 'ping':
        return send(conn, msg.id === undefined ? { type: 'pong' } : { type: 'pong', id: msg.id });
      case 'kick':
        return onKick(conn, msg.peerId);
    }
  }

  /** Over a connection bound: say so, then close with 1013 (try again later). */
  function refuseConnection(conn: Conn, why: string): void {
    conn.refused = true;
    conn.log(`refusing connection from ${conn.ip}: ${why}`);
    send(conn, { type: 'error', code: 'ERR_SERVER_FULL', message: `${why}; try again later` });
    closeSoon(conn.ws, CLOSE_CODES.TRY_AGAIN_LATER, 'try again later');
  }

  wss.on('connection', (ws, req) =>
    guarded('connection', () => {
      if (closing) return ws.terminate(); // an upgrade that was already in flight when stop began
      let markClosed = (): void => {};
      const closed = new Promise<void>((resolve) => (markClosed = resolve));
      const ip = req.socket.remoteAddress ?? 'unknown';
      const conn: Conn = {
        ws,
        ip,
        membership: undefined,
        alive: true,
        closeReason: 'disconnected',
        log,
        closed,
        messages: new TokenBucket(limits.messagesPerSecond, limits.messageBurst),
        joins: new TokenBucket(limits.joinsPerSecondPerSocket, limits.joinBurstPerSocket),
        strikes: new StrikeCounter(limits.rateLimitStrikes, limits.rateLimitStrikeWindowMs),
        refused: false,
        delayed: new DelayQueue((msg) => guarded('chaos delivery', () => send(conn, msg)), MAX_DELAYED_PER_CONN),
      };
      conns.add(conn);
      const fromIp = (connsPerIp.get(ip) ?? 0) + 1;
      connsPerIp.set(ip, fromIp);
      ws.on('message', (raw, isBinary) => guarded('message', () => onMessage(conn, raw, isBinary)));
      // ws answers pings by itself; they still count, or they would be a free flood.
      ws.on('ping', () => guarded('ping', () => void admit(conn)));
      ws.on('pong', () => (conn.alive = true));
      // Protocol errors (oversized, bad UTF-8) land here. ws has already sent its close frame
      // (1009, 1007…), but would go on reading, and discarding, whatever the peer still sends
      // until the peer answers the close: for a 10 MB frame, all 10 MB. Stop reading instead
      // (after ws's own resume, queued for the next tick) and cut the socket after a grace.
      // Not cutting at once: a reset can destroy the close frame before the peer reads it.
      ws.on('error', (err) => {
        conn.log(`socket error: ${err.message}`);
        conn.refused = true;
        setImmediate(() => req.socket.pause());
        setTimeout(() => ws.terminate(), CLOSE_HANDSHAKE_GRACE_MS).unref();
      });
      ws.on('close', () =>
        guarded('close', () => {
          conns.delete(conn);
          const left = (connsPerIp.get(ip) ?? 1) - 1;
          if (left > 0) connsPerIp.set(ip, left);
          else connsPerIp.delete(ip);
          conn.delayed.clear();
          depart(conn, conn.closeReason);
          markClosed();
        }),
      );
      if (conns.size > limits.maxConnections) refuseConnection(conn, `the server holds its limit of ${limits.maxConnections} connections`);
      else if (fromIp > limits.maxConnectionsPerIp) refuseConnection(conn, `${ip} holds its limit of ${limits.maxConnectionsPerIp} connections`);
    }),
  );

  const heartbeat = setInterval(() => {
    for (const conn of conns) {
      guarded('heartbeat', () => {
        if (!conn.alive) {
          conn.log('no pong since the last ping; dropping it');
          conn.closeReason = 'timeout';
          conn.ws.terminate();
          return;
        }
        conn.alive = false;
        conn.ws.ping();
      });
    }
    ipJoins.sweep();
  }, heartbeatMs);

  async function stop(goingAwayReason: string | undefined): Promise<void> {
    closing = true;
    clearInterval(heartbeat);
    // Stop accepting first, so no socket can arrive that the loop below would miss.
    const listenerClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    wss.close();
    for (const conn of conns) {
      if (goingAwayReason === undefined) {
        conn.ws.terminate();
      } else {
        send(conn, { type: 'going-away', reason: goingAwayReason });
        closeSoon(conn.ws, CLOSE_CODES.GOING_AWAY, 'going away');
      }
    }
    await Promise.all([...conns].map((c) => c.closed));
    httpServer.closeAllConnections(); // idle keep-alive /healthz clients would hold the close open
    await listenerClosed;
    log('stopped');
  }

  try {
    await listen(httpServer, opts.host, opts.port);
  } catch (err) {
    clearInterval(heartbeat);
    wss.close();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const hostPort = `${hostForUrl(opts.host)}:${port}`;
  log(`listening on ${hostPort}`);
  return {
    url: `ws://${hostPort}`,
    httpUrl: `http://${hostPort}`,
    port,
    close: () => (stopping ??= stop(undefined)),
    shutdown: (reason) => (stopping ??= stop(reason)),
  };
}
