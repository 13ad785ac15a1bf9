import fs from 'node:fs';
import { HarnessError } from '../errors.js';
import { blake3File } from './blake3-file.js';

/**
 * The assertion messages of the integrity contract. The resilience reporter
 * (harness/report/collect-playwright.ts) reads a failure carrying either as an integrity mismatch.
 */
export const SIZE_CHECK = 'received file size equals the source';
export const HASH_CHECK = 'received file BLAKE3 equals the source';

/** What the referee knows of the source: its size and BLAKE3, measured in Node when it was made. */
export interface SourceFacts {
  readonly sizeBytes: number;
  readonly blake3: string;
}

export type FileComparison =
  | { readonly match: true; readonly sizeBytes: number; readonly blake3: string }
  /** A truncated or padded file: told by its size, before (and without) hashing it. */
  | { readonly match: false; readonly kind: 'size'; readonly receivedBytes: number; readonly sourceBytes: number; readonly message: string }
  /** Same size, different bytes. */
  | { readonly match: false; readonly kind: 'hash'; readonly sizeBytes: number; readonly receivedBlake3: string; readonly sourceBlake3: string; readonly message: string };

/**
 * Compares the file the receiver handed the user with the source: sizes first (a truncated or
 * padded file is a size mismatch, named with both sizes), then the BLAKE3 computed in Node.
 */
export async function compareWithSource(receivedPath: string, source: SourceFacts): Promise<FileComparison> {
  const receivedBytes = sizeOf(receivedPath);
  if (receivedBytes !== source.sizeBytes) {
    const diff = receivedBytes - source.sizeBytes;
    const how = diff < 0 ? `truncated: ${-diff} bytes short` : `padded: ${diff} bytes too many`;
    return {
      match: false,
      kind: 'size',
      receivedBytes,
      sourceBytes: source.sizeBytes,
      message: `${SIZE_CHECK}: received ${receivedBytes} bytes, source ${source.sizeBytes} bytes (${how})`,
    };
  }
  const receivedBlake3 = await blake3File(receivedPath);
  if (receivedBlake3 !== source.blake3) {
    return {
      match: false,
      kind: 'hash',
      sizeBytes: receivedBytes,
      receivedBlake3,
      sourceBlake3: source.blake3,
      message: `${HASH_CHECK}: both ${receivedBytes} bytes, BLAKE3 received ${receivedBlake3}, source ${source.blake3}`,
    };
  }
  return { match: true, sizeBytes: receivedBytes, blake3: receivedBlake3 };
}

function sizeOf(file: string): number {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new Error('not a regular file');
    return st.size;
  } catch (err) {
    throw new HarnessError('ERR_EVIDENCE_MISSING', `the received file ${file} cannot be read: ${(err as Error).message}`, {
      context: { file },
      hint: 'The app adapter’s saveReceivedFile() should have written it; see the receiver’s console log for why it did not.',
      cause: err,
    });
  }
}
