import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from '../config.js';

/** Exponential backoff with full jitter: attempt 0 waits up to BASE, doubling to MAX. */
export function backoffDelayMs(attempt: number, random = Math.random): number {
  const cap = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
