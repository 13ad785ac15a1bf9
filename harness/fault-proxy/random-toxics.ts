import type { ProxyToxics } from './control-protocol.js';

/** The dice the toxics roll: one place, so every lane draws loss, reorder and jitter the same way. */

/** True with probability `percent` / 100. */
export function chance(percent: number): boolean {
  return Math.random() * 100 < percent;
}

/** One-way latency for the next packet or chunk: delayMs ± a uniform draw of jitterMs, never negative. */
export function sampleLatencyMs(toxics: Readonly<ProxyToxics>): number {
  const delayMs = toxics.delayMs ?? 0;
  const jitterMs = toxics.jitterMs ?? 0;
  return Math.max(0, delayMs + (jitterMs > 0 ? (Math.random() * 2 - 1) * jitterMs : 0));
}
