import { HarnessError } from '../harness/errors.js';
import type { SelectedPair } from '../harness/probes/rtc-capture.js';

export type BenchPath = 'direct' | 'relay';

/** How a path is shown in the report: e.g. "host→host udp" or "relay→relay udp (relay over udp)". */
export function describePairs(pairs: readonly SelectedPair[]): string {
  const kinds = new Set(pairs.map((p) => `${p.localType}→${p.remoteType} ${p.protocol}${p.relayProtocol ? ` (relay over ${p.relayProtocol})` : ''}`));
  return [...kinds].join(', ') || 'none';
}

/**
 * The path is proven by the browsers' own stats, not assumed from the policy asked for: direct
 * means no TURN allocation at either end; relay means this peer sends through its allocation.
 */
export function assertPath(expected: BenchPath, who: string, pairs: readonly SelectedPair[]): void {
  const ok =
    pairs.length > 0 &&
    pairs.every((p) => (expected === 'direct' ? p.localType !== 'relay' && p.remoteType !== 'relay' : p.localType === 'relay'));
  if (ok) return;
  throw new HarnessError('ERR_TRANSFER_FAILED', `${who} did not use a ${expected} path: ${describePairs(pairs)}`, {
    context: { expected, pairs },
    hint: expected === 'direct'
      ? 'A direct path on loopback needs host candidates: check that WebRtcHideLocalIpsWithMdns is disabled (harness/browser/chromium-launch.ts).'
      : 'Relay needs coturn reachable with valid credentials: read the TURN log tail.',
  });
}
