/**
 * The signaling wire protocol: JSON text frames, one message each, discriminated on `type`.
 * Types only. The server validates every incoming frame once, at the boundary (validate.ts).
 */

/** Largest text frame the server accepts, in bytes. Larger frames get ERR_FRAME_TOO_LARGE. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Room ids and peer ids: 1-64 chars of [A-Za-z0-9_-]. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** A room holds the sender and the receiver; a third distinct peer id is refused. */
export const MAX_PEERS_PER_ROOM = 2;
/** Join tokens: 1-256 chars of printable ASCII (no spaces). The app sends 22 chars of base64url. */
export const TOKEN_PATTERN = /^[\x21-\x7e]{1,256}$/;
/**
 * How deep `signal.data` may nest. SDP and candidate objects are 2 levels deep; the bound keeps
 * re-serialising a relayed frame (JSON.stringify recurses) far from the stack's limit.
 */
export const MAX_DATA_DEPTH = 32;

/** How the server closes a socket, and why. */
export const CLOSE_CODES = Object.freeze({
  /** Server shutdown, after a `going-away` message. */
  GOING_AWAY: 1001,
  /** A text frame that is not UTF-8 (closed by ws). */
  INVALID_UTF8: 1007,
  /** Kept sending past the rate limit (more than `rateLimitStrikes` refusals in a window). */
  RATE_LIMITED: 1008,
  /** A frame past the hard cap (maxFrameBytes + 16 KiB); closed by ws without reading it. */
  TOO_BIG: 1009,
  /** Connection refused at once: too many connections (after an ERR_SERVER_FULL message). */
  TRY_AGAIN_LATER: 1013,
  /** This peer id joined again from another socket. */
  REPLACED: 4000,
  /** A peer that was in the room before this one removed it (a `kick`, after a `kicked` message). */
  KICKED: 4003,
});

// ---- client → server ----

/**
 * Join (or rejoin, after a reconnect) a room under a stable peer id.
 *
 * Token rules (SEC-2): the first join of a room creates it and sets its token; every later join,
 * rejoins and replacing joins included, must carry the same token, else ERR_UNAUTHORIZED and the
 * socket stays unjoined. A missing or malformed token is ERR_BAD_MESSAGE (the frame's shape is
 * wrong, whatever the room). The room, and so its token, lives while it has a peer or remembers
 * one that dropped off (5 min, see rooms.ts); once it is empty and remembers no one, it is deleted
 * and the next join creates it afresh with whatever token that join brings.
 */
export interface JoinMessage {
  type: 'join';
  room: string;
  peerId: string;
  /** The room's join token (from the room link), matching TOKEN_PATTERN. Required. */
  token: string;
}

/** Relay `data` to the other peer `to` in the same room. `data` is opaque to the server. */
export interface SignalMessage {
  type: 'signal';
  to: string;
  data: unknown;
}

export interface LeaveMessage {
  type: 'leave';
}

/** Application-level keepalive for clients that cannot send ws pings (browsers). */
export interface PingMessage {
  type: 'ping';
  id?: number;
}

/**
 * Take `peerId`'s slot in the room (SEC-1): the server has no way to tell a peer that holds the
 * room's session key from one that only has its link, but the peers can (they prove the key to
 * each other over their own connection). So a peer that refused the other is allowed to evict it.
 *
 * Only seniority is checked: a peer may kick one whose id entered the room after its own (a peer
 * id keeps its place while it is in the room or remembered as departed, see rooms.ts). So a
 * newcomer cannot evict the room's incumbent, and an incumbent that blipped off keeps its rank.
 * The kicked socket gets `kicked` and is closed with 4003; its id is not remembered, so the slot
 * is free at once; the others hear `peer-left` with reason `kicked`. Refusals: ERR_NOT_IN_ROOM,
 * ERR_BAD_MESSAGE (yourself), ERR_UNKNOWN_PEER (not in the room now), ERR_FORBIDDEN (not junior).
 */
export interface KickMessage {
  type: 'kick';
  peerId: string;
}

export type ClientMessage = JoinMessage | SignalMessage | LeaveMessage | PingMessage | KickMessage;

// ---- server → client ----

export interface WelcomeMessage {
  type: 'welcome';
  room: string;
  peerId: string;
  /** The other peers already in the room. */
  peers: string[];
  /** True when this peer id was already known in the room (a rejoin after reconnect). */
  rejoined: boolean;
}

export interface PeerJoinedMessage {
  type: 'peer-joined';
  peerId: string;
  rejoined: boolean;
}

export interface PeerLeftMessage {
  type: 'peer-left';
  peerId: string;
  reason: 'left' | 'disconnected' | 'timeout' | 'kicked';
}

export interface RelayedSignalMessage {
  type: 'signal';
  from: string;
  data: unknown;
}

export interface PongMessage {
  type: 'pong';
  id?: number;
}

/**
 * Another peer of the room took this socket's slot (a `kick`); the socket is closed with 4003
 * right after. The client should not rejoin on its own: the room refused it.
 */
export interface KickedMessage {
  type: 'kicked';
  room: string;
  /** The peer id that removed us. */
  by: string;
}

/** The server is shutting down (SIGTERM); clients should reconnect with backoff. */
export interface GoingAwayMessage {
  type: 'going-away';
  reason: string;
}

export type SignalingErrorCode =
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_BINARY_FRAME'
  /** Not JSON, or nested too deeply for JSON.parse itself. */
  | 'ERR_BAD_JSON'
  /** JSON, but not a valid message: a field missing, of the wrong type, or out of range. */
  | 'ERR_BAD_MESSAGE'
  | 'ERR_UNKNOWN_TYPE'
  | 'ERR_NOT_IN_ROOM'
  | 'ERR_ALREADY_IN_ROOM'
  | 'ERR_ROOM_FULL'
  | 'ERR_UNKNOWN_PEER'
  /** The join's token is not the room's token. */
  | 'ERR_UNAUTHORIZED'
  /** A kick of a peer that entered the room before the kicker (only a senior peer may kick). */
  | 'ERR_FORBIDDEN'
  /**
   * Too many frames or joins, per socket or per IP. The frame was not acted on; retry after
   * `retryAfterMs`. A socket that keeps going is closed with 1008 (policy violation).
   */
  | 'ERR_RATE_LIMITED'
  /** A server-wide bound (connections, rooms, peers) is reached. A refused connection is closed with 1013. */
  | 'ERR_SERVER_FULL';

export interface ErrorMessage {
  type: 'error';
  code: SignalingErrorCode;
  message: string;
  /** The `type` of the offending frame, when it had one. */
  inReplyTo?: string;
  /** ERR_RATE_LIMITED: how long until the same frame would be accepted. */
  retryAfterMs?: number;
}

export type ServerMessage =
  | WelcomeMessage
  | PeerJoinedMessage
  | PeerLeftMessage
  | RelayedSignalMessage
  | PongMessage
  | GoingAwayMessage
  | KickedMessage
  | ErrorMessage;
