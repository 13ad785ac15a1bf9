import fs from 'node:fs';
import { createBLAKE3 } from 'hash-wasm';

/** BLAKE3 (hex) of a file on disk, computed in Node, outside any browser: the referee's hash. */
export async function blake3File(filePath: string): Promise<string> {
  const hasher = await createBLAKE3();
  hasher.init();
  for await (const chunk of fs.createReadStream(filePath, { highWaterMark: 4 * 1024 * 1024 })) {
    hasher.update(chunk as Buffer);
  }
  return hasher.digest('hex');
}
