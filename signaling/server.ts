import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { WebSocket, WebSocketServer, type RawData } from 'ws';

import { createLogger, type Logger } from '../harness/log.js';
import {
  MAX_FRAME_BYTES,
  MAX_PEERS_PER_ROOM,
  type ClientMessage,
  type PeerLeftMessage,
  type ServerMessage,
  type SignalingErrorCode,
} from './protocol.js';
import { RoomRegistry } from './rooms.js';
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
/** Application close code: this peer id joined again from another socket. */
const CLOSE_REPLACED = 4000;
const CLOSE_GOING_AWAY = 1001;

export interface SignalingServerOptions {
  host: string;
  /** 0 picks a free port; read the chosen one from `port`. */
  port: number;
  heartbeatIntervalMs?: number;
  maxFrameBytes?: number;
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
  membership: { room: string; peerId: string } | undefined;
  /** Cleared at each heartbeat ping, set by the pong. */
  alive: boolean;
  /** What the others are told when this socket closes. */
  closeReason: 'disconnected' | 'timeout';
  log: Logger;
  readonly closed: Promise<void>;
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
  const maxFrameBytes = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  const heartbeatMs = opts.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const startedAtMs = Date.now();
  const rooms = new RoomRegistry<Conn>();
  const conns = new Set<Conn>();
  let stopping: Promise<void> | undefined;
  /** Set the moment a stop begins, before any socket close event can fire. */
  let closing = false;

  const httpServer = http.createServer((req, res) =>
    guarded('http request', () => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      };
      if (path !== '/healthz') return reply(404, { ok: false, error: 'not found; try GET /healthz' });
      if (req.method !== 'GET') return reply(405, { ok: false, error: 'use GET' });
      reply(200, { ok: true, rooms: rooms.roomCount, peers: rooms.peerCount, uptimeMs: Date.now() - startedAtMs });
    }),
  );
  // perMessageDeflate stays off (the ws default): compressed frames would make the size cap moot.
  // `conns` is the one list of sockets, so ws need not keep a second one.
  const wss = new WebSocketServer({ server: httpServer, maxPayload: maxFrameBytes + HARD_CAP_SLACK_BYTES, clientTracking: false });
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

  function onJoin(conn: Conn, room: string, peerId: string): void {
    if (conn.membership !== undefined) {
      const { room: r, peerId: p } = conn.membership;
      return sendError(conn, 'ERR_ALREADY_IN_ROOM', `this socket already joined room ${r} as ${p}; send leave first`, 'join');
    }
    const outcome = rooms.join(room, peerId, conn);
    if (!outcome.ok) return sendError(conn, 'ERR_ROOM_FULL', `room ${room} already holds ${MAX_PEERS_PER_ROOM} peers`, 'join');
    conn.membership = { room, peerId };
    conn.log = createLogger('signaling', peerId);
    conn.log(`joined ${room}${outcome.rejoined ? ' (rejoin)' : ''}`);
    if (outcome.replaced !== undefined) {
      // Detach first, so the old socket's close is not reported as this peer leaving.
      outcome.replaced.membership = undefined;
      closeSoon(outcome.replaced.ws, CLOSE_REPLACED, 'replaced');
    }
    send(conn, { type: 'welcome', room, peerId, peers: outcome.peers, rejoined: outcome.rejoined });
    for (const other of rooms.others(room, peerId)) send(other, { type: 'peer-joined', peerId, rejoined: outcome.rejoined });
  }

  function onSignal(conn: Conn, to: string, data: unknown): void {
    if (conn.membership === undefined) return sendError(conn, 'ERR_NOT_IN_ROOM', 'join a room before sending signal', 'signal');
    const { room, peerId } = conn.membership;
    if (to === peerId) return sendError(conn, 'ERR_BAD_MESSAGE', "'to' must name another peer, not yourself", 'signal');
    const target = rooms.peer(room, to);
    if (target === undefined) return sendError(conn, 'ERR_UNKNOWN_PEER', `no peer ${to} in room ${room}`, 'signal');
    send(target, { type: 'signal', from: peerId, data });
  }

  function onMessage(conn: Conn, raw: RawData, isBinary: boolean): void {
    const parsed = parseClientFrame(toFrame(raw), isBinary, maxFrameBytes);
    if (!parsed.ok) return send(conn, parsed.error);
    const msg = parsed.msg;
    switch (msg.type) {
      case 'join':
        return onJoin(conn, msg.room, msg.peerId);
      case 'signal':
        return onSignal(conn, msg.to, msg.data);
      case 'leave':
        if (conn.membership === undefined) return sendError(conn, 'ERR_NOT_IN_ROOM', 'not in a room', 'leave');
        return depart(conn, 'left');
      case 'ping':
        return send(conn, msg.id === undefined ? { type: 'pong' } : { type: 'pong', id: msg.id });
    }
  }

  wss.on('connection', (ws) =>
    guarded('connection', () => {
      if (closing) return ws.terminate(); // an upgrade that was already in flight when stop began
      let markClosed = (): void => {};
      const closed = new Promise<void>((resolve) => (markClosed = resolve));
      const conn: Conn = { ws, membership: undefined, alive: true, closeReason: 'disconnected', log, closed };
      conns.add(conn);
      ws.on('message', (raw, isBinary) => guarded('message', () => onMessage(conn, raw, isBinary)));
      ws.on('pong', () => (conn.alive = true));
      // Protocol errors (oversized, bad UTF-8) land here; ws then closes the socket itself.
      ws.on('error', (err) => conn.log(`socket error: ${err.message}`));
      ws.on('close', () =>
        guarded('close', () => {
          conns.delete(conn);
          depart(conn, conn.closeReason);
          markClosed();
        }),
      );
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
        closeSoon(conn.ws, CLOSE_GOING_AWAY, 'going away');
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
