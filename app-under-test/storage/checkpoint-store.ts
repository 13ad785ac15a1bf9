import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Manifest } from '../transfer/protocol.js';

/**
 * The receiver's durable state in IndexedDB: verified chunks and one checkpoint per transfer.
 * A chunk and the checkpoint that counts it are written in ONE transaction, and a chunk is
 * acknowledged only after that transaction completes: what the sender stops resending is on disk.
 */

export const DB_NAME = 'webrtc-transfer';
const DB_VERSION = 1;
/**
 * 'relaxed': the transaction completes once the data is handed to the OS, which survives a tab
 * crash or a SIGKILLed browser (BRW-1, BRW-2) but not a power cut. 'strict' adds an fsync per
 * transaction; `npm run bench` measures the difference.
 */
export const IDB_DURABILITY: IDBTransactionDurability = 'relaxed';

export interface Checkpoint {
  transferId: string;
  manifest: Manifest;
  bytesTransferred: number;
  totalBytes: number;
  /** Bitfield of stored chunks (see ChunkMap). */
  chunkMap: Uint8Array;
  /** Local wall-clock time of the last write, ms. Informational only: never compared across peers. */
  timestamp: number;
  completed: boolean;
}

export interface StoredChunk {
  transferId: string;
  index: number;
  /** BLAKE3 of `data`, re-checked before the chunk is trusted again. */
  hash: Uint8Array;
  /** A Blob, so Chromium keeps it on disk and assembly never holds the whole file in memory. */
  data: Blob;
}

interface TransferDB extends DBSchema {
  checkpoints: { key: string; value: Checkpoint };
  chunks: { key: [string, number]; value: StoredChunk };
}

export class CheckpointStore {
  private constructor(private readonly db: IDBPDatabase<TransferDB>) {}

  static async open(): Promise<CheckpointStore> {
    const db = await openDB<TransferDB>(DB_NAME, DB_VERSION, {
      upgrade(database) {
        database.createObjectStore('checkpoints', { keyPath: 'transferId' });
        database.createObjectStore('chunks', { keyPath: ['transferId', 'index'] });
      },
    });
    return new CheckpointStore(db);
  }

  async getCheckpoint(transferId: string): Promise<Checkpoint | undefined> {
    return this.db.get('checkpoints', transferId);
  }

  async putCheckpoint(checkpoint: Checkpoint): Promise<void> {
    const tx = this.db.transaction('checkpoints', 'readwrite');
    await Promise.all([tx.store.put(checkpoint), tx.done]);
  }

  /**
   * Stores verified chunks and the checkpoint that now counts them, in one transaction: either
   * all of it is there after a crash, or none of it. (Group commit: one transaction per batch.)
   */
  async putChunks(chunks: StoredChunk[], checkpoint: Checkpoint): Promise<void> {
    const tx = this.db.transaction(['chunks', 'checkpoints'], 'readwrite', { durability: IDB_DURABILITY });
    const store = tx.objectStore('chunks');
    await Promise.all([...chunks.map((c) => store.put(c)), tx.objectStore('checkpoints').put(checkpoint), tx.done]);
  }

  async getChunk(transferId: string, index: number): Promise<StoredChunk | undefined> {
    return this.db.get('chunks', [transferId, index]);
  }

  /** Removes a chunk found bad at rest, and the checkpoint bit that vouched for it. */
  async dropChunk(transferId: string, index: number, checkpoint: Checkpoint): Promise<void> {
    const tx = this.db.transaction(['chunks', 'checkpoints'], 'readwrite');
    await Promise.all([tx.objectStore('chunks').delete([transferId, index]), tx.objectStore('checkpoints').put(checkpoint), tx.done]);
  }

  async deleteTransfer(transferId: string): Promise<void> {
    const tx = this.db.transaction(['chunks', 'checkpoints'], 'readwrite');
    const range = IDBKeyRange.bound([transferId, 0], [transferId, Number.MAX_SAFE_INTEGER]);
    await Promise.all([tx.objectStore('chunks').delete(range), tx.objectStore('checkpoints').delete(transferId), tx.done]);
  }

  close(): void {
    this.db.close();
  }
}
