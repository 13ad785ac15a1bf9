import { SEND_WINDOW_CHUNKS } from '../../app-under-test/config.js';

/** Chunk payload the e2e projects use (playwright.config.ts `chunkSizeBytes`). */
export const CHUNK_BYTES = 128 * 1024;

/**
 * "Resumed, not restarted": after a recovery the sender may send again at most what was in
 * flight — the send window — plus one window of slack for a second interruption while recovering.
 */
export const MAX_RESENT_BYTES = 2 * SEND_WINDOW_CHUNKS * CHUNK_BYTES;
