import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../harness/errors.js';
import { compareWithSource, HASH_CHECK, SIZE_CHECK } from '../../harness/verdict/compare-files.js';
import { makeRandomFile, type TestFile } from '../../harness/verdict/random-file.js';

const SIZE = 256 * 1024 + 17;

describe('comparing the received file with the source (the integrity verdict of expectIntact)', () => {
  let dir = '';
  let source: TestFile;
  let bytes: Buffer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-compare-files-'));
    source = await makeRandomFile(dir, SIZE, 'source.bin');
    bytes = fs.readFileSync(source.path);
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function received(name: string, content: Buffer): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  }

  it('an identical copy matches, with its size and BLAKE3', async () => {
    const v = await compareWithSource(received('same.bin', bytes), source);
    expect(v).toEqual({ match: true, sizeBytes: SIZE, blake3: source.blake3 });
  });

  it('a truncated file is a size mismatch naming both sizes', async () => {
    const v = await compareWithSource(received('truncated.bin', bytes.subarray(0, SIZE - 1000)), source);
    expect(v).toMatchObject({ match: false, kind: 'size', receivedBytes: SIZE - 1000, sourceBytes: SIZE });
    expect(!v.match && v.message).toBe(`${SIZE_CHECK}: received ${SIZE - 1000} bytes, source ${SIZE} bytes (truncated: 1000 bytes short)`);
  });

  it('an empty file is a size mismatch too', async () => {
    const v = await compareWithSource(received('empty.bin', Buffer.alloc(0)), source);
    expect(v).toMatchObject({ match: false, kind: 'size', receivedBytes: 0, sourceBytes: SIZE });
  });

  it('a padded file (zeros after the end, as a preallocated file would have) is a size mismatch naming both sizes', async () => {
    const v = await compareWithSource(received('padded.bin', Buffer.concat([bytes, Buffer.alloc(4096)])), source);
    expect(v).toMatchObject({ match: false, kind: 'size', receivedBytes: SIZE + 4096, sourceBytes: SIZE });
    expect(!v.match && v.message).toBe(`${SIZE_CHECK}: received ${SIZE + 4096} bytes, source ${SIZE} bytes (padded: 4096 bytes too many)`);
  });

  it('one byte flipped, same size, is a hash mismatch', async () => {
    const flipped = Buffer.from(bytes);
    flipped[SIZE >> 1] = flipped[SIZE >> 1]! ^ 0x80;
    const v = await compareWithSource(received('flipped.bin', flipped), source);
    expect(v).toMatchObject({ match: false, kind: 'hash', sizeBytes: SIZE, sourceBlake3: source.blake3 });
    expect(!v.match && v.kind === 'hash' && v.receivedBlake3).not.toBe(source.blake3);
    expect(!v.match && v.message).toContain(HASH_CHECK);
  });

  it('a missing received file is ERR_EVIDENCE_MISSING with a hint, not a size of 0', async () => {
    const err = await compareWithSource(path.join(dir, 'never-saved.bin'), source).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect(err).toMatchObject({ code: 'ERR_EVIDENCE_MISSING', context: { file: path.join(dir, 'never-saved.bin') } });
    expect((err as HarnessError).hint).toMatch(/saveReceivedFile/);
  });
});
