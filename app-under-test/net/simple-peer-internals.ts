import type SimplePeer from 'simple-peer';

/**
 * simple-peer keeps its RTCPeerConnection and RTCDataChannel private. We need both: the channel
 * for bufferedAmount backpressure with a threshold of our own (simple-peer's stream API holds
 * writes at 64 KiB, which starves a fast link), and the connection for getStats(). This is the
 * only file that reaches inside (and calls what the types leave out).
 */
interface Internals {
  _pc?: RTCPeerConnection;
  _channel?: RTCDataChannel;
}

export function peerConnectionOf(peer: SimplePeer.Instance): RTCPeerConnection | undefined {
  return (peer as unknown as Internals)._pc;
}

export function dataChannelOf(peer: SimplePeer.Instance): RTCDataChannel | undefined {
  return (peer as unknown as Internals)._channel;
}

/**
 * simple-peer 9.x has a public `negotiate()` (the initiator makes a new offer; used for
 * renegotiation) that @types/simple-peer does not declare. An ICE restart is `restartIce()` on
 * the connection, then this: the offer it makes carries the new ICE credentials.
 */
export function negotiate(peer: SimplePeer.Instance): void {
  (peer as unknown as { negotiate(): void }).negotiate();
}
