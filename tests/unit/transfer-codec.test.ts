import { describe, expect, it } from 'vitest';
import { ChunkMap } from '../../app-under-test/transfer/chunk-map.js';
import { parseFrame, writeFrameHeader } from '../../app-under-test/transfer/frame-codec.js';
import { CHUNK_FRAME_HEADER_BYTES } from '../../app-under-test/transfer/protocol.js';
import { parseControl } from '../../app-under-test/transfer/validate-control.js';
import { backoffDelayMs } from '../../app-under-test/net/backoff.js';
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from '../../app-under-test/config.js';

function frame(index: number, payload: Uint8Array): ArrayBuffer {
  const buf = new ArrayBuffer(CHUNK_FRAME_HEADER_BYTES + payload.length);
  new Uint8Array(buf, CHUNK_FRAME_HEADER_BYTES).set(payload);
  writeFrameHeader(buf, index, payload.length, new Uint8Array(32).fill(7));
  return buf;
}

describe('chunk frames', () => {
  it('round-trips index, hash and payload', () => {
    const parsed = parseFrame(frame(41, new Uint8Array([1, 2, 3])));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.frame.index).toBe(41);
    expect([...parsed.frame.payload]).toEqual([1, 2, 3]);
    expect(parsed.frame.hash.every((b) => b === 7)).toBe(true);
  });

  it('rejects short, truncated, padded and foreign frames without throwing', () => {
    const good = frame(3, new Uint8Array(100));
    expect(parseFrame(good.slice(0, 10))).toEqual({ ok: false, reason: 'bad-frame' });
    expect(parseFrame(good.slice(0, good.byteLength - 1))).toMatchObject({ ok: false, reason: 'bad-length', index: 3 });
    const padded = new Uint8Array(good.byteLength + 1);
    padded.set(new Uint8Array(good));
    expect(parseFrame(padded.buffer)).toMatchObject({ ok: false, reason: 'bad-length' });
    const foreign = good.slice(0);
    new Uint8Array(foreign)[0] = 0x00;
    expect(parseFrame(foreign)).toEqual({ ok: false, reason: 'bad-frame' });
    // Every header byte is checked somewhere: reserved bytes here, index/length/payload by the digest.
    const reserved = good.slice(0);
    new Uint8Array(reserved)[3] = 0x01;
    expect(parseFrame(reserved)).toEqual({ ok: false, reason: 'bad-frame' });
  });
});

describe('chunk map', () => {
  it('tracks presence, counts, and survives base64', () => {
    const map = new ChunkMap(20);
    expect(map.add(0)).toBe(true);
    expect(map.add(0)).toBe(false);
    map.add(19);
    map.add(9);
    expect(map.count).toBe(3);
    expect(map.add(20)).toBe(false);
    const copy = ChunkMap.fromBase64(20, map.toBase64());
    expect([...copy.missing()].length).toBe(17);
    expect(copy.has(19) && copy.has(9) && !copy.has(10)).toBe(true);
    map.delete(9);
    expect(map.count).toBe(2);
  });
});

describe('control messages', () => {
  const manifest = { transferId: 't1', name: 'f.bin', size: 300, mimeType: 'application/octet-stream', chunkSize: 128, chunkCount: 3, fileHash: 'a'.repeat(64) };

  it('accepts well-formed messages', () => {
    expect(parseControl(JSON.stringify({ type: 'manifest', version: 1, manifest }))).toMatchObject({ type: 'manifest' });
    expect(parseControl('{"type":"ack","index":2}')).toEqual({ type: 'ack', index: 2 });
  });

  it('refuses anything off-protocol', () => {
    for (const bad of [
      'not json',
      '[]',
      '{"type":"ack","index":-1}',
      '{"type":"ack","index":1.5}',
      '{"type":"nack","index":1,"reason":"whatever"}',
      '{"type":"wat"}',
      JSON.stringify({ type: 'manifest', version: 1, manifest: { ...manifest, chunkCount: 4 } }),
      JSON.stringify({ type: 'manifest', version: 1, manifest: { ...manifest, chunkSize: 10_000_000 } }),
      JSON.stringify({ type: 'manifest', version: 2, manifest }),
      '{"type":"done","transferId":"t1","fileHash":"XYZ"}',
    ]) {
      expect(parseControl(bad), bad).toBeUndefined();
    }
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially, is jittered, and is capped', () => {
    expect(backoffDelayMs(0, () => 0)).toBe(RECONNECT_BASE_MS / 2);
    expect(backoffDelayMs(0, () => 1)).toBe(RECONNECT_BASE_MS);
    expect(backoffDelayMs(3, () => 1)).toBe(RECONNECT_BASE_MS * 8);
    expect(backoffDelayMs(50, () => 1)).toBe(RECONNECT_MAX_MS);
  });
});
