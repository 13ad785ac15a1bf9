import * as Comlink from 'comlink';
import { createBLAKE3, type IHasher } from 'hash-wasm';
import { CHUNK_FRAME_HEADER_BYTES } from '../transfer/protocol.js';
import { chunkDigestPrefix, parseFrame, writeFrameHeader } from '../transfer/frame-codec.js';
import type { HashApi, VerifyResult } from './hash-api.js';

/*
 * The hashing worker's API itself, apart from the worker that exposes it (hash-worker.ts), so the
 * transfer engine's unit tests run the same BLAKE3 and frame code in Node.
 */

/** Whole-file hashing reads this much at a time: big enough to be fast, small enough to stay lean. */
const HASH_SLICE_BYTES = 8 * 1024 * 1024;

let hasherPromise: Promise<IHasher> | undefined;
function hasher(): Promise<IHasher> {
  hasherPromise ??= createBLAKE3();
  return hasherPromise;
}

/**
 * A chunk's BLAKE3 covers its index and length as well as its bytes, so a frame whose index was
 * damaged on the wire can never be stored under the wrong index (see chunkDigestPrefix).
 */
async function chunkDigest(index: number, payload: Uint8Array): Promise<Uint8Array> {
  const h = await hasher();
  h.init();
  h.update(chunkDigestPrefix(index, payload.length));
  h.update(payload);
  return h.digest('binary');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export const hashApi: HashApi = {
  async hashBlob(blob) {
    return hashApi.hashBlobs([blob]);
  },

  async hashBlobs(blobs) {
    // A separate hasher: whole-file hashing may interleave with chunk hashing.
    const h = await createBLAKE3();
    h.init();
    // One Blob over all the parts, read in big slices: a read per 128 KiB chunk Blob costs a round
    // trip to the browser each (~20 MiB/s), a slice spanning many parts does not.
    const whole = new Blob(blobs);
    for (let offset = 0; offset < whole.size; offset += HASH_SLICE_BYTES) {
      h.update(new Uint8Array(await whole.slice(offset, offset + HASH_SLICE_BYTES).arrayBuffer()));
    }
    return h.digest('hex');
  },

  async chunkDigest(index, data) {
    return chunkDigest(index, new Uint8Array(data));
  },

  async prepareFrames(file, first, count, chunkSize) {
    const start = first * chunkSize;
    const block = new Uint8Array(await file.slice(start, Math.min(start + count * chunkSize, file.size)).arrayBuffer());
    const frames: ArrayBuffer[] = [];
    for (let k = 0; k * chunkSize < block.length && k < count; k++) {
      const payload = block.subarray(k * chunkSize, Math.min((k + 1) * chunkSize, block.length));
      const frame = new ArrayBuffer(CHUNK_FRAME_HEADER_BYTES + payload.length);
      new Uint8Array(frame, CHUNK_FRAME_HEADER_BYTES).set(payload);
      writeFrameHeader(frame, first + k, payload.length, await chunkDigest(first + k, payload));
      frames.push(frame);
    }
    return Comlink.transfer(frames, frames);
  },

  async verifyFrame(frame) {
    const parsed = parseFrame(frame);
    if (!parsed.ok) return { ok: false, index: parsed.index, reason: parsed.reason } satisfies VerifyResult;
    const { index, hash, payload } = parsed.frame;
    const actual = await chunkDigest(index, payload);
    if (!sameBytes(actual, hash)) return { ok: false, index, reason: 'hash-mismatch' } satisfies VerifyResult;
    const own = frame.slice(CHUNK_FRAME_HEADER_BYTES);
    const result: VerifyResult = { ok: true, index, hash: actual, payload: own };
    return Comlink.transfer(result, [own]);
  },
};

