import { SEND_WINDOW_CHUNKS } from '../../app-under-test/config.js';

/** Chunk payload the e2e projects use (playwright.config.ts `chunkSizeBytes`). */
export const CHUNK_BYTES = 128 * 1024;

/**
 * "Resumed, not restarted": after a recovery the sender may send again at most what was in
 * flight — the send window — plus one window of slack for a second interruption while recovering.
 */
export const MAX_RESENT_BYTES = 2 * SEND_WINDOW_CHUNKS * CHUNK_BYTES;

/**
 * One interruption, one recovery (NET-1): the sender may send again only what was in flight when
 * the path went — unacknowledged chunks, at most one send window (8 MiB at 64 × 128 KiB). A sender
 * that re-sent everything after the cut (13.4 MiB of a 20 MiB file, measured) passed the two-window
 * bound above; it fails this one.
 */
export const ONE_CUT_MAX_RESENT_BYTES = SEND_WINDOW_CHUNKS * CHUNK_BYTES;
