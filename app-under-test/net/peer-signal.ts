import type SimplePeer from 'simple-peer';

/**
 * What the two peers say to each other through the signaling server's `signal.data`.
 * Every peer connection attempt is a "generation" with a random id; a message for an older
 * generation is ignored, so a late candidate can never confuse a newer connection.
 */
export type PeerSignal =
  | { kind: 'sdp'; gen: string; payload: SimplePeer.SignalData }
  /** The receiver has no working link (fresh tab, reload, dead path): sender, please start one. */
  | { kind: 'request-peer' }
  /** The receiver's path went silent: sender, please restart ICE on this generation (no new peer). */
  | { kind: 'restart-ice'; gen: string };

export function parsePeerSignal(data: unknown): PeerSignal | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (d.kind === 'request-peer') return { kind: 'request-peer' };
  if (d.kind === 'restart-ice' && typeof d.gen === 'string' && d.gen.length <= 64) return { kind: 'restart-ice', gen: d.gen };
  if (d.kind === 'sdp' && typeof d.gen === 'string' && d.gen.length <= 64 && typeof d.payload === 'object' && d.payload !== null) {
    return { kind: 'sdp', gen: d.gen, payload: d.payload as SimplePeer.SignalData };
  }
  return undefined;
}
