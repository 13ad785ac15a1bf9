import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { WrappedKey } from '../security/key-wrap.js';
import type { Manifest } from '../transfer/protocol.js';

/**
 * The receiver's durable state in IndexedDB: verified chunks and one checkpoint per transfer.
 * A chunk and the checkpoint that counts it are written in ONE transaction, and a chunk is
 * acknowledged only after that transaction completes: what the sender stops resending is on disk.
 */

export const DB_NAME = 'webrtc-transfer';
/** The storage probe's scratch record lives under this transfer id, never a real one (ids are UUIDs). */
const PROBE_TRANSFER_ID = '~storage-probe';
/** 2 added the session-key stores (SEC-4); a version-1 database is upgraded in place. */
const DB_VERSION = 2;
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

/** A session key at rest, wrapped (see security/key-vault.ts). `id` is `<role>:<room>`. */
export interface StoredSessionKey extends WrappedKey {
  id: string;
}

/** The non-extractable CryptoKey that wraps the session keys; one per browser profile. */
export interface StoredWrappingKey {
  id: string;
  key: CryptoKey;
}

interface TransferDB extends DBSchema {
  checkpoints: { key: string; value: Checkpoint };
  chunks: { key: [string, number]; value: StoredChunk };
  'session-keys': { key: string; value: StoredSessionKey };
  'wrapping-keys': { key: string; value: StoredWrappingKey };
}

export class CheckpointStore {
  /** Set when the browser closed our connection itself: Chromium does after a write fails on a full disk (RES-1). */
  private closedByBrowser = false;

  private constructor(private db: IDBPDatabase<TransferDB>) {
    this.watch(db);
  }

  static async open(): Promise<CheckpointStore> {
    const db = await openDB<TransferDB>(DB_NAME, DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          database.createObjectStore('checkpoints', { keyPath: 'transferId' });
          database.createObjectStore('chunks', { keyPath: ['transferId', 'index'] });
        }
        if (oldVersion < 2) {
          database.createObjectStore('session-keys', { keyPath: 'id' });
          database.createObjectStore('wrapping-keys', { keyPath: 'id' });
        }
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
    const tx = await this.writeTransaction(['chunks', 'checkpoints']);
    const store = tx.objectStore('chunks');
    // A failed commit rejects every request with a bare AbortError; the transaction's error says why.
    await Promise.all([...chunks.map((c) => store.put(c)), tx.objectStore('checkpoints').put(checkpoint), tx.done]).catch((err: unknown) => {
      throw tx.error ?? err;
    });
  }

  /**
   * Writes `bytes` of scratch and deletes it again: resolves only if that much room exists right
   * now, and fails like putChunks when it does not (RES-1's retry probe).
   *
   * It deletes first. After a transaction fails with QuotaExceededError, Firefox makes the next
   * readwrite transaction on that connection a "cleanup" one: it may only delete, and every put
   * in it throws InvalidStateError ("…a database that did not allow mutations"), even once there
   * is room again (measured, Firefox ESR 153). The delete uses up that transaction, so the put
   * gives the real answer; elsewhere it deletes a key that is not there.
   */
  async probeRoom(bytes: number): Promise<void> {
    const clear = await this.writeTransaction(['chunks']);
    await Promise.all([clear.objectStore('chunks').delete([PROBE_TRANSFER_ID, 0]), clear.done]).catch((err: unknown) => {
      throw clear.error ?? err;
    });
    const put = await this.writeTransaction(['chunks']);
    const scratch: StoredChunk = { transferId: PROBE_TRANSFER_ID, index: 0, hash: new Uint8Array(0), data: new Blob([new Uint8Array(bytes)]) };
    await Promise.all([put.objectStore('chunks').put(scratch), put.done]).catch((err: unknown) => {
      throw put.error ?? err;
    });
    const del = await this.writeTransaction(['chunks']);
    await Promise.all([del.objectStore('chunks').delete([PROBE_TRANSFER_ID, 0]), del.done]);
  }

  private async writeTransaction<S extends ('chunks' | 'checkpoints')[]>(stores: S) {
    if (this.closedByBrowser) await this.reconnect();
    try {
      return this.db.transaction(stores, 'readwrite', { durability: IDB_DURABILITY });
    } catch (err) {
      // "The database connection is closing": the browser dropped it before its close event reached us.
      this.closedByBrowser = true;
      throw new StorageUnavailableError('the browser closed the database connection', err);
    }
  }

  private watch(db: IDBPDatabase<TransferDB>): void {
    db.addEventListener('close', () => {
      if (this.db === db) this.closedByBrowser = true;
    });
  }

  /** A new connection after the browser closed ours; while the disk is still full, opening may fail too. */
  private async reconnect(): Promise<void> {
    try {
      this.db = (await CheckpointStore.open()).db;
    } catch (err) {
      throw new StorageUnavailableError('reopening the database failed', err);
    }
    this.watch(this.db);
    this.closedByBrowser = false;
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

  /**
   * The wrapping key stored under `id`, or `candidate` stored there now. One transaction, so two
   * tabs opening at once agree on one key instead of each wrapping with its own.
   */
  async wrappingKey(id: string, candidate: CryptoKey): Promise<CryptoKey> {
    const tx = this.db.transaction('wrapping-keys', 'readwrite');
    const existing = await tx.store.get(id);
    if (!existing) await tx.store.put({ id, key: candidate });
    await tx.done;
    return existing?.key ?? candidate;
  }

  async getSessionKey(id: string): Promise<StoredSessionKey | undefined> {
    return this.db.get('session-keys', id);
  }

  async putSessionKey(record: StoredSessionKey): Promise<void> {
    const tx = this.db.transaction('session-keys', 'readwrite');
    await Promise.all([tx.store.put(record), tx.done]);
  }

  close(): void {
    this.db.close();
  }
}

/** Storage could not be written at all right now (connection dropped by the browser, or reopening failed). */
export class StorageUnavailableError extends Error {
  constructor(message: string, cause: unknown) {
    super(`${message}: ${String(cause)}`, { cause });
    this.name = 'StorageUnavailableError';
  }
}
