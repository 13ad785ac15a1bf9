/**
 * The signaling server's chaos control API: types and bounds only (validation: chaos.ts).
 *
 *   GET  /api/chaos/config            → 200 ChaosStatus
 *   POST /api/chaos/config  ChaosConfigInput  → 200 ChaosStatus | 400 { ok: false, error }
 *
 * Both need the header `x-chaos-key: <key>`. The API exists only when the server was given a
 * key (env CHAOS_KEY, `--chaos-key`, or the config file's `chaosKey`): without one every
 * /api/chaos path is 404; with one, a missing or wrong header is 401. Chaos is off by default.
 */

export const CHAOS_CONFIG_PATH = '/api/chaos/config';
export const CHAOS_KEY_HEADER = 'x-chaos-key';
/** The environment variable the CLI reads the key from. */
export const CHAOS_KEY_ENV = 'CHAOS_KEY';
/** A shorter key would be guessable; the harness makes a random one per run. */
export const MIN_CHAOS_KEY_CHARS = 16;
export const MAX_CHAOS_LATENCY_MS = 60_000;
/** Room patterns: ID_PATTERN's characters plus the globs `*` (any run) and `?` (any one). */
export const ROOM_GLOB_PATTERN = /^[A-Za-z0-9_*?-]{1,64}$/;
export const MAX_ROOM_GLOBS = 64;
/** Largest POST body accepted, in bytes. */
export const MAX_CHAOS_BODY_BYTES = 16 * 1024;

/**
 * What the server does to relayed `signal` messages in the rooms it applies to. Only relays are
 * touched: joins, pings and errors are never dropped or delayed.
 */
export interface ChaosConfig {
  enabled: boolean;
  /** Probability (0..1), per relayed signal, of cutting the sender's socket instead of relaying. */
  disconnectRate: number;
  /** Probability (0..1), per relayed signal, of dropping it silently. */
  dropRate: number;
  /**
   * Added delay per relayed signal, uniform in [min, max] ms. Delays never reorder the messages
   * one receiver gets (each waits for the one before, as on a slow TCP path).
   */
  minLatencyMs: number;
  maxLatencyMs: number;
  /** Room globs chaos applies to; absent or empty means every room. */
  includeRooms?: string[];
  /** Room globs chaos never applies to; wins over includeRooms. */
  excludeRooms?: string[];
}

/**
 * A POST replaces the whole config: the fields it leaves out take their defaults, so
 * `{ "enabled": false }` turns chaos off whatever was set before. Unknown fields are refused.
 */
export type ChaosConfigInput = Partial<ChaosConfig>;

export const DEFAULT_CHAOS_CONFIG: Readonly<ChaosConfig> = Object.freeze({
  enabled: false,
  disconnectRate: 0,
  dropRate: 0,
  minLatencyMs: 0,
  maxLatencyMs: 0,
});

/** Counted since the last POST (or server start). */
export interface ChaosStats {
  /** Relayed signals chaos applied to (in an included room, while enabled). */
  considered: number;
  dropped: number;
  delayed: number;
  /** Sender sockets cut. */
  disconnected: number;
}

export interface ChaosStatus {
  config: ChaosConfig;
  stats: ChaosStats;
}
