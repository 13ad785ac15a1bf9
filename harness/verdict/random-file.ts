import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { blake3File } from './blake3-file.js';

const WRITE_BLOCK_BYTES = 4 * 1024 * 1024;

export interface TestFile {
  path: string;
  sizeBytes: number;
  blake3: string;
}

/** A file of random bytes (incompressible, so no layer can cheat), with its BLAKE3. */
export async function makeRandomFile(dir: string, sizeBytes: number, name = `random-${sizeBytes}.bin`): Promise<TestFile> {
  const filePath = path.join(dir, name);
  const fd = fs.openSync(filePath, 'w');
  try {
    const block = Buffer.allocUnsafe(WRITE_BLOCK_BYTES);
    for (let written = 0; written < sizeBytes; written += WRITE_BLOCK_BYTES) {
      const n = Math.min(WRITE_BLOCK_BYTES, sizeBytes - written);
      crypto.randomFillSync(block, 0, n);
      fs.writeSync(fd, block, 0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
  return { path: filePath, sizeBytes, blake3: await blake3File(filePath) };
}
