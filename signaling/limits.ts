import { MAX_FRAME_BYTES } from './protocol.js';

/**
 * Every resource bound of the signaling server, in one place, units in the names. The CLI sets
 * each one with `--kebab-case-name N` or a config file's `limits` object (signaling/config.ts).
 *
 * The defaults are sized for signaling, which is bursty but tiny: a peer sends an offer or answer
 * and then trickles ICE candidates, typically ~20 within a second of gathering, and little after.
 */
export interface SignalingLimits {
  /** Largest text frame answered normally; larger ones get ERR_FRAME_TOO_LARGE, and past this + 16 KiB ws cuts the socket unread. */
  maxFrameBytes: number;
  /** Sustained frames per second one socket may send (any frame, and ws-level pings). */
  messagesPerSecond: number;
  /** Frames one socket may send at once above the sustained rate (the token bucket's size). */
  messageBurst: number;
  /** Frames refused for rate within `rateLimitStrikeWindowMs` after which the socket is closed with 1008. */
  rateLimitStrikes: number;
  rateLimitStrikeWindowMs: number;
  /** Join attempts per second one socket may make (join/leave cycling). */
  joinsPerSecondPerSocket: number;
  joinBurstPerSocket: number;
  /** Join attempts per second from one IP address, over all its sockets. */
  joinsPerSecondPerIp: number;
  joinBurstPerIp: number;
  /** Open ws connections in total, and from one IP address. Over either: ERR_SERVER_FULL, close 1013. */
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Rooms held in total, counting rooms kept only for a peer that dropped off (they keep their token). */
  maxRooms: number;
  /** Peers joined in total, over all rooms. */
  maxPeers: number;
}

export const DEFAULT_LIMITS: Readonly<SignalingLimits> = Object.freeze({
  maxFrameBytes: MAX_FRAME_BYTES,
  // A trickle-ICE burst (offer + ~20 candidates) fits in the burst 5 times over; 50/s sustained is
  // far above what a healthy peer sends, and far below what it takes to load the server.
  messagesPerSecond: 50,
  messageBurst: 100,
  // Refused frames past twice the sustained rate, for seconds on end, are not a glitch.
  rateLimitStrikes: 100,
  rateLimitStrikeWindowMs: 10_000,
  // A reconnecting client joins once per socket; these leave room for a few quick retries.
  joinsPerSecondPerSocket: 2,
  joinBurstPerSocket: 5,
  // One IP may be a NAT with many users; a harness run is all 127.0.0.1.
  joinsPerSecondPerIp: 50,
  joinBurstPerIp: 200,
  maxConnections: 10_000,
  maxConnectionsPerIp: 500,
  maxRooms: 10_000,
  maxPeers: 10_000,
});

/** Every limit is a whole number in [min, max]; a frame limit under 1 KiB could not carry a join. */
export const LIMIT_RANGES: Readonly<Record<keyof SignalingLimits, readonly [min: number, max: number]>> = Object.freeze({
  ...(Object.fromEntries(Object.keys(DEFAULT_LIMITS).map((k) => [k, [1, 2 ** 31 - 1]])) as Record<keyof SignalingLimits, [number, number]>),
  maxFrameBytes: [1024, 16 * 1024 * 1024],
});

export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as Array<keyof SignalingLimits>;

/** `messagesPerSecond` → `messages-per-second`, the CLI flag's name without the dashes. */
export function limitFlag(name: keyof SignalingLimits): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
