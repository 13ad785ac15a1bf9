import type SimplePeer from 'simple-peer';

/**
 * The ICE username fragment of an offer/answer (`a=ice-ufrag:`), or '' when it has none. An ICE
 * restart changes it; signaling delivering the same message twice does not, so it tells a
 * restart's new offer from a duplicate of the old one.
 */
export function iceUfrag(payload: SimplePeer.SignalData): string {
  const sdp = (payload as { sdp?: unknown }).sdp;
  return typeof sdp === 'string' ? (/^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? '') : '';
}
