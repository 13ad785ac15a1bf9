/**
 * Every timing and size the app's recovery depends on, in one place, with units.
 * The README's "Recovery constants" table mirrors this file.
 */

/** Default chunk payload: 128 KiB frames fit every engine's DataChannel message limit. */
export const DEFAULT_CHUNK_BYTES = 128 * 1024;

/** Chunks sent but not yet acknowledged. Bounds what a recovery may send again. */
export const SEND_WINDOW_CHUNKS = 64;
/** Stop queueing on the DataChannel above this; resume at the low-water mark. */
export const BUFFERED_HIGH_BYTES = 4 * 1024 * 1024;
export const BUFFERED_LOW_BYTES = 1 * 1024 * 1024;
/** With nothing left to send, unacked frames are sent again after this long without any ack. */
export const ACK_STALL_MS = 10_000;
/** Frames prepared (read + hashed) ahead of the one being sent. */
export const PREFETCH_FRAMES = 32;
/** Consecutive chunks read from the file in one go (small File reads are slow: see hash-api.ts). */
export const READ_RUN_CHUNKS = 16;

/**
 * Storage full (RES-1): the receiver stops writing and probes with a scratch write this big —
 * more than a whole group commit (32 × 128 KiB) plus room for IndexedDB's own log — and only a
 * probe that fits lets chunks through again. Probes back off from BASE to MAX.
 */
export const STORAGE_PROBE_BYTES = 8 * 1024 * 1024;
export const STORAGE_RETRY_BASE_MS = 500;
export const STORAGE_RETRY_MAX_MS = 4_000;

/** Each side sends a heartbeat this often while connected… */
export const HEARTBEAT_INTERVAL_MS = 500;
/**
 * …and declares the path dead after this long without hearing anything: no message, and no byte
 * at the transport either (getStats, net/path-progress.ts: on a slow lossy link a whole message
 * can take longer than this while the path is busy). ICE takes 5-7 s to say `disconnected` and
 * 15 s to say `failed`, and the DataChannel stays `open` on a dead path.
 */
export const LIVENESS_TIMEOUT_MS = 2_500;

/** Reconnect backoff (signaling socket and peer rebuilds): exponential with full jitter. */
export const RECONNECT_BASE_MS = 250;
export const RECONNECT_MAX_MS = 5_000;

/**
 * How a dead path is recovered while signaling works. `new-peer` (the default): a new
 * RTCPeerConnection over signaling, and the sender resends only what the receiver's checkpoint
 * lacks (at most the in-flight window). `ice-restart`: the same connection and DataChannel get new
 * ICE credentials and candidates (`restartIce()` + a new offer through simple-peer's
 * `negotiate()`); the SCTP association survives, so nothing is sent again — but it keeps its
 * retransmission backoff (Chromium caps it at ~3 s) and restarts from a collapsed congestion
 * window. `npm run bench:recovery` measured both side by side: after a 3 s cut the first new byte
 * came 0.5-0.9 s after the heal with a new peer and 2.8-3.0 s with an ICE restart, and the whole
 * transfer took ~3 s less, despite ~3 MiB re-sent (README, "Recovery: new peer or ICE restart").
 * An ICE restart that brings nothing back falls back to a new peer.
 */
export type RecoveryStrategy = 'ice-restart' | 'new-peer';
export const DEFAULT_RECOVERY: RecoveryStrategy = 'new-peer';
/** An ICE restart that has not brought any byte back after this long is tried again… */
export const ICE_RESTART_TIMEOUT_MS = 4_000;
/** …up to this many restarts per silence, then the peer is rebuilt (`new-peer`). */
export const ICE_RESTART_ATTEMPTS = 3;

/** A new peer that is not connected after this long is torn down and tried again. */
export const PEER_CONNECT_TIMEOUT_MS = 15_000;

/** TURN credentials asked of the app server live this long. */
export const TURN_CREDENTIAL_TTL_S = 3_600;

/** Signaling: before each WebSocket attempt, an HTTP knock on /healthz, given this long to answer. */
export const HEALTH_PROBE_TIMEOUT_MS = 2_000;
/** Signaling keepalive: a ping this often; the socket is presumed dead without any message for… */
export const SIGNALING_PING_INTERVAL_MS = 3_000;
export const SIGNALING_DEAD_AFTER_MS = 10_000;
