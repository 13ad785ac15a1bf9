import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blake3 } from 'hash-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blake3File } from '../../harness/verdict/blake3-file.js';

/**
 * Official BLAKE3 test vectors (BLAKE3-team/BLAKE3, test_vectors/test_vectors.json, commit
 * 2f6f56f3): the input of length n is the bytes i % 251; `hash` is the first 32 bytes of the
 * extended output, i.e. the default-length digest. Lengths straddle the 1024-byte chunk and the
 * tree's parent nodes (1023/1024/1025, 2048, 3072, 4096, 31744 = 31 chunks, 102400 = 100 chunks).
 */
const VECTORS: ReadonlyArray<readonly [number, string]> = [
  [0, 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262'],
  [1, '2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213'],
  [1023, '10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11'],
  [1024, '42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7'],
  [1025, 'd00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444'],
  [2048, 'e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a'],
  [3072, 'b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2'],
  [4096, '015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969'],
  [31744, '62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47'],
  [102400, 'bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085'],
];

/** The vectors' input: byte i is i % 251. */
function vectorInput(length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = i % 251;
  return b;
}

describe('the Node-side BLAKE3 referee (harness/verdict/blake3-file.ts)', () => {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-blake3-vectors-'));
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function writeFile(name: string, bytes: Buffer): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  }

  it.each(VECTORS)('hashes a file of %i bytes to the official vector', async (length, expected) => {
    const file = writeFile(`vector-${length}.bin`, vectorInput(length));
    expect(fs.statSync(file).size).toBe(length);
    expect(await blake3File(file)).toBe(expected);
  });

  it('streams a file larger than its 4 MiB read size to the same digest as hashing it in one piece', async () => {
    // No official vector is this long; the vectors above pin the library, this pins the streaming.
    const bytes = vectorInput(9 * 1024 * 1024 + 123);
    const file = writeFile('streamed.bin', bytes);
    const oneShot = await blake3(bytes);
    expect(await blake3File(file)).toBe(oneShot);
  });

  it('can fail: one byte changed anywhere in the file changes the hash', async () => {
    const bytes = vectorInput(102400);
    const original = await blake3File(writeFile('original.bin', bytes));
    expect(original).toBe(VECTORS.at(-1)![1]);
    for (const at of [0, 1023, 1024, 51200, 102399]) {
      const flipped = Buffer.from(bytes);
      flipped[at] = flipped[at]! ^ 0x01;
      expect(await blake3File(writeFile(`flipped-${at}.bin`, flipped)), `byte ${at} flipped`).not.toBe(original);
    }
  });
});
