/** What the hashing worker offers, as seen through comlink. Types only. */

export type VerifyResult =
  | { ok: true; index: number; hash: Uint8Array; payload: ArrayBuffer }
  | { ok: false; index: number | undefined; reason: 'hash-mismatch' | 'bad-frame' | 'bad-length' };

export interface HashApi {
  /** BLAKE3 (hex) of a whole Blob, read slice by slice so memory stays bounded. */
  hashBlob(blob: Blob): Promise<string>;
  /** BLAKE3 (hex) of several Blobs one after the other, as if they were one file. */
  hashBlobs(blobs: Blob[]): Promise<string>;
  /** The chunk digest (BLAKE3 over index, length and bytes) of chunk `index` holding `data`. */
  chunkDigest(index: number, data: ArrayBuffer): Promise<Uint8Array>;
  /**
   * Reads the consecutive chunks `first`..`first+count-1` of `file` in ONE read (small reads of a
   * File cost a round trip each: 128 KiB reads run at ~20 MiB/s, 4 MiB reads at ~160 MiB/s),
   * hashes each, and returns ready-to-send frames (transferred).
   */
  prepareFrames(file: Blob, first: number, count: number, chunkSize: number): Promise<ArrayBuffer[]>;
  /** Parses a received frame and checks its payload against the hash in its header. */
  verifyFrame(frame: ArrayBuffer): Promise<VerifyResult>;
}
