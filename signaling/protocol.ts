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

// ---- client → server ----

/** Join (or rejoin, after a reconnect) a room under a stable peer id. */
export interface JoinMessage {
  type: 'join';
  room: string;
  peerId: string;
  /** Room join token (from the room link); reserved for SEC-2, optional for now. */
  token?: string;
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

export type ClientMessage = JoinMessage | SignalMessage | LeaveMessage | PingMessage;

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
  reason: 'left' | 'disconnected' | 'timeout';
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

/** The server is shutting down (SIGTERM); clients should reconnect with backoff. */
export interface GoingAwayMessage {
  type: 'going-away';
  reason: string;
}

export type SignalingErrorCode =
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_BINARY_FRAME'
  | 'ERR_BAD_JSON'
  | 'ERR_BAD_MESSAGE'
  | 'ERR_UNKNOWN_TYPE'
  | 'ERR_NOT_IN_ROOM'
  | 'ERR_ALREADY_IN_ROOM'
  | 'ERR_ROOM_FULL'
  | 'ERR_UNKNOWN_PEER'
  | 'ERR_UNAUTHORIZED';

export interface ErrorMessage {
  type: 'error';
  code: SignalingErrorCode;
  message: string;
  /** The `type` of the offending frame, when it had one. */
  inReplyTo?: string;
}

export type ServerMessage =
  | WelcomeMessage
  | PeerJoinedMessage
  | PeerLeftMessage
  | RelayedSignalMessage
  | PongMessage
  | GoingAwayMessage
  | ErrorMessage;
