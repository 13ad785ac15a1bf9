import { CHUNK_FRAME_HEADER_BYTES, CHUNK_FRAME_MAGIC, CHUNK_HASH_BYTES, PROTOCOL_VERSION } from './protocol.js';

export interface ChunkFrame {
  index: number;
  /** BLAKE3 the sender claims for the payload. */
  hash: Uint8Array;
  payload: Uint8Array;
}

export type FrameParseResult = { ok: true; frame: ChunkFrame } | { ok: false; reason: 'bad-frame' | 'bad-length'; index?: number };

/** Builds a frame around a payload already placed at CHUNK_FRAME_HEADER_BYTES in `buffer`. */
export function writeFrameHeader(buffer: ArrayBuffer, index: number, payloadBytes: number, hash: Uint8Array): void {
  const view = new DataView(buffer);
  view.setUint8(0, CHUNK_FRAME_MAGIC);
  view.setUint8(1, PROTOCOL_VERSION);
  view.setUint16(2, 0, true);
  view.setUint32(4, index, true);
  view.setUint32(8, payloadBytes, true);
  new Uint8Array(buffer, 12, CHUNK_HASH_BYTES).set(hash);
}

/** Parses a frame without copying the payload. Never throws: a bad frame is a result. */
export function parseFrame(buffer: ArrayBuffer): FrameParseResult {
  if (buffer.byteLength < CHUNK_FRAME_HEADER_BYTES) return { ok: false, reason: 'bad-frame' };
  const view = new DataView(buffer);
  // Reserved bytes must be zero: the digest does not cover them, so a damaged one is caught here.
  if (view.getUint8(0) !== CHUNK_FRAME_MAGIC || view.getUint8(1) !== PROTOCOL_VERSION || view.getUint16(2, true) !== 0) return { ok: false, reason: 'bad-frame' };
  const index = view.getUint32(4, true);
  const length = view.getUint32(8, true);
  if (length !== buffer.byteLength - CHUNK_FRAME_HEADER_BYTES) return { ok: false, reason: 'bad-length', index };
  return {
    ok: true,
    frame: {
      index,
      hash: new Uint8Array(buffer, 12, CHUNK_HASH_BYTES),
      payload: new Uint8Array(buffer, CHUNK_FRAME_HEADER_BYTES, length),
    },
  };
}

/**
 * What a chunk digest covers before the payload: "BLK3" + u32 index + u32 length (little-endian).
 * Binding index and length into the hash means a flipped bit anywhere in a frame is caught.
 */
export function chunkDigestPrefix(index: number, length: number): Uint8Array {
  const prefix = new Uint8Array(12);
  prefix.set([0x42, 0x4c, 0x4b, 0x33]);
  const view = new DataView(prefix.buffer);
  view.setUint32(4, index, true);
  view.setUint32(8, length, true);
  return prefix;
}
