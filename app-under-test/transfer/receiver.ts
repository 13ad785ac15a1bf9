import type { Remote } from 'comlink';
import * as Comlink from 'comlink';
import { STORAGE_PROBE_BYTES, STORAGE_RETRY_BASE_MS, STORAGE_RETRY_MAX_MS } from '../config.js';
import { AppError } from '../errors.js';
import type { HashApi } from '../hash/hash-api.js';
import type { ChannelPort } from '../net/channel-port.js';
import type { PeerAuth } from '../security/peer-auth.js';
import type { Checkpoint, CheckpointStore, StoredChunk } from '../storage/checkpoint-store.js';
import { ChunkMap } from './chunk-map.js';
import type { ChallengeMessage, ControlMessage, Manifest, ProofMessage } from './protocol.js';
import { parseControl } from './validate-control.js';

export interface ReceiverProgress {
  verifiedBytes: number;
  totalBytes: number;
  chunksAccepted: number;
  chunksRejected: number;
  chunksDuplicate: number;
  /** Bytes already held from a checkpoint when this page took the transfer over. */
  resumedFromBytes: number;
  /** Stored chunks that failed re-verification when the checkpoint was loaded. */
  chunksDroppedAtResume: number;
}

export interface ReceiverEvents {
  manifest(m: Manifest, resumedFromBytes: number): void;
  progress(p: ReceiverProgress): void;
  phase(phase: 'receiving' | 'storage-full' | 'assembling' | 'complete' | 'refused' | 'unauthorized', detail: string): void;
  complete(file: Blob, manifest: Manifest): void;
  error(err: AppError): void;
}

/**
 * What the receiver needs of its durable store: CheckpointStore (IndexedDB) in the app. Named so
 * a test can give it another implementation of the same contract.
 */
export type ReceiverStore = Pick<CheckpointStore, 'getCheckpoint' | 'putCheckpoint' | 'putChunks' | 'getChunk' | 'probeRoom'>;

/** Caps one transaction, so a slow disk cannot make a batch (and its acks) huge. */
const MAX_CHUNKS_PER_TRANSACTION = 32;

interface Active {
  manifest: Manifest;
  map: ChunkMap;
  bytes: number;
}

/**
 * Receives one transfer: every frame is BLAKE3-checked in the worker before it is accepted,
 * stored with its checkpoint in one IndexedDB transaction, and acknowledged only after that
 * transaction completes. Work is done strictly in arrival order on one queue.
 */
export class Receiver {
  private active: Active | undefined;
  private chain: Promise<void> = Promise.resolve();
  private rejected = 0;
  private duplicates = 0;
  private accepted = 0;
  private resumedFromBytes = 0;
  private droppedAtResume = 0;
  private assembling = false;
  /** Verified chunks waiting for the next transaction. */
  private staged: { index: number; chunk: StoredChunk | undefined; port: ChannelPort }[] = [];
  private writing: Promise<void> | undefined;
  private storageFull = false;

  constructor(
    private readonly store: ReceiverStore,
    private readonly hasher: Remote<HashApi>,
    private readonly on: ReceiverEvents,
    /** Proves our session key to the sender, and checks the sender's before taking anything from it (SEC-1). */
    private readonly auth: PeerAuth,
  ) {}

  onMessage(data: string | Uint8Array, port: ChannelPort): void {
    this.chain = this.chain
      .then(() => (typeof data === 'string' ? this.onControl(data, port) : this.onFrame(data, port)))
      .catch((err: unknown) => this.on.error(err instanceof AppError ? err : new AppError('ERR_PROTOCOL', String(err))));
  }

  private async onControl(text: string, port: ChannelPort): Promise<void> {
    const msg = parseControl(text);
    if (!msg) throw new AppError('ERR_PROTOCOL', `ignored a malformed control message (${text.slice(0, 80)})`);
    if (msg.type === 'challenge') return this.onChallenge(msg, port);
    if (msg.type === 'proof') return this.onProof(msg, port);
    if (msg.type === 'refuse' && msg.code === 'ERR_RESUME_UNAUTHORIZED') {
      this.on.phase('unauthorized', msg.message);
      throw new AppError('ERR_RESUME_UNAUTHORIZED', `the sender refused us: ${msg.message}`, 'Open the complete link the sender shared (it ends with &k=…).');
    }
    if (msg.type !== 'manifest') return;
    const manifest = msg.manifest;
    if (!this.auth.isProven(port, manifest.transferId)) {
      throw new AppError('ERR_PEER_UNAUTHORIZED', `ignored a manifest for ${manifest.transferId} from a peer that has not proved the session key`, 'Only the sender holding this link’s key may send to this page.');
    }
    if (this.active?.manifest.transferId !== manifest.transferId) {
      const loaded = await this.load(manifest, port);
      if (!loaded) return;
      this.active = loaded;
      this.resumedFromBytes = loaded.bytes;
      this.on.manifest(manifest, loaded.bytes);
    } else if (this.refusedAsDifferentFile(this.active.manifest, manifest, port)) {
      // Same id, other contents, while this page is open: the chunks would mix two files.
      return;
    }
    const a = this.active!;
    reply(port, { type: 'resume', transferId: manifest.transferId, chunkMap: a.map.toBase64(), haveBytes: a.bytes });
    this.on.phase('receiving', `holding ${a.map.count}/${manifest.chunkCount} chunks`);
    this.emitProgress();
    if (a.map.complete) await this.finish(port);
  }

  /** The sender's challenge: prove we hold the key, then challenge it back. */
  private async onChallenge(c: ChallengeMessage, port: ChannelPort): Promise<void> {
    const proof = await this.auth.prove(c);
    if (!proof) {
      this.on.phase('unauthorized', 'this page holds no session key for the transfer');
      throw new AppError('ERR_SESSION_KEY_MISSING', 'the sender asked for proof of the session key, and this page has none: the link lacks its key (k=…) and no key is stored for this room', 'Open the complete link the sender shared (it ends with &k=…).');
    }
    reply(port, proof);
    reply(port, this.auth.challenge(port, c.transferId));
  }

  private async onProof(p: ProofMessage, port: ChannelPort): Promise<void> {
    const failure = await this.auth.verify(port, p);
    if (failure === undefined) return;
    this.on.phase('unauthorized', failure);
    throw new AppError('ERR_PEER_UNAUTHORIZED', `the peer claiming to be the sender failed its proof: ${failure}`, 'Nothing it sends is accepted. Ask the sender for a fresh link.');
  }

  /** Refuses (and says so) a manifest whose file differs from the one this transfer id started with. */
  private refusedAsDifferentFile(m: Manifest, manifest: Manifest, port: ChannelPort): boolean {
    if (m.fileHash === manifest.fileHash && m.size === manifest.size && m.chunkSize === manifest.chunkSize) return false;
    const message = `this transfer was started with a different file (stored ${m.name}, ${m.size} bytes, hash ${m.fileHash.slice(0, 12)}…); resume refused`;
    reply(port, { type: 'refuse', transferId: manifest.transferId, code: 'ERR_FILE_MISMATCH', message });
    this.on.phase('refused', message);
    this.on.error(new AppError('ERR_FILE_MISMATCH', message, 'Start a fresh transfer with the new file.'));
    return true;
  }

  /** The checkpoint for this transfer, or a new one; refuses a different file under the same id. */
  private async load(manifest: Manifest, port: ChannelPort): Promise<Active | undefined> {
    const existing = await this.store.getCheckpoint(manifest.transferId);
    if (existing) {
      const m = existing.manifest;
      if (this.refusedAsDifferentFile(m, manifest, port)) return undefined;
      return this.reverify({ manifest: m, map: new ChunkMap(m.chunkCount, existing.chunkMap), bytes: existing.bytesTransferred }, existing);
    }
    const fresh: Active = { manifest, map: new ChunkMap(manifest.chunkCount), bytes: 0 };
    await this.store.putCheckpoint(this.checkpointOf(fresh));
    return fresh;
  }

  /**
   * A checkpoint is a claim; the stored bytes are the proof. Before trusting a checkpoint again,
   * every stored chunk is re-hashed: one that is missing, damaged at rest (DATA-3) or half-written
   * by a crash (BRW-2) is dropped from the map, and the sender will send it again.
   */
  private async reverify(a: Active, checkpoint: Checkpoint): Promise<Active> {
    const dropped: number[] = [];
    for (let i = 0; i < a.manifest.chunkCount; i++) {
      if (!a.map.has(i)) continue;
      const stored = await this.store.getChunk(a.manifest.transferId, i);
      const ok = stored !== undefined && stored.data.size === this.chunkBytes(a.manifest, i) && sameBytes(await this.hasher.chunkDigest(i, await stored.data.arrayBuffer()), stored.hash);
      if (ok) continue;
      a.map.delete(i);
      a.bytes -= this.chunkBytes(a.manifest, i);
      dropped.push(i);
    }
    if (dropped.length > 0) {
      this.droppedAtResume += dropped.length;
      await this.store.putCheckpoint({ ...checkpoint, chunkMap: a.map.bits.slice(), bytesTransferred: a.bytes, timestamp: Date.now() });
      this.on.error(new AppError('ERR_CHUNK_HASH_MISMATCH', `${dropped.length} stored chunk(s) failed re-verification and will be fetched again`, '', { chunks: dropped.slice(0, 20) }));
    }
    return a;
  }

  private async onFrame(data: Uint8Array, port: ChannelPort): Promise<void> {
    const a = this.active;
    if (!a) throw new AppError('ERR_PROTOCOL', 'a chunk arrived before any manifest; ignored');
    if (!this.auth.isProven(port, a.manifest.transferId)) throw new AppError('ERR_PEER_UNAUTHORIZED', 'a chunk arrived from a peer that has not proved the session key; ignored');
    const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? (data.buffer as ArrayBuffer) : (data.slice().buffer as ArrayBuffer);
    const result = await this.hasher.verifyFrame(Comlink.transfer(own, [own]));
    if (!result.ok) {
      this.rejected++;
      this.emitProgress();
      if (result.index !== undefined && result.index < a.manifest.chunkCount) reply(port, { type: 'nack', index: result.index, reason: result.reason });
      return;
    }
    const { index, payload, hash } = result;
    if (index >= a.manifest.chunkCount || payload.byteLength !== this.chunkBytes(a.manifest, index)) {
      this.rejected++;
      this.emitProgress();
      if (index < a.manifest.chunkCount) reply(port, { type: 'nack', index, reason: 'bad-length' });
      return;
    }
    if (a.map.has(index) || this.staged.some((c) => c.index === index)) {
      this.duplicates++;
      // Acked in turn with the staged chunks: acks leave in arrival order, which lets the sender
      // treat a chunk sent earlier and still unacked as lost (see Sender.onAck).
      this.staged.push({ index, chunk: undefined, port });
    } else {
      this.staged.push({ index, chunk: { transferId: a.manifest.transferId, index, hash, data: new Blob([payload]) }, port });
    }
    // Verification goes on while the previous batch commits; the next batch takes what piled up.
    this.kickWriter(a);
  }

  private kickWriter(a: Active): void {
    if (this.writing) return;
    this.writing = this.commitStaged(a)
      .catch((err: unknown) => this.on.error(err instanceof AppError ? err : new AppError('ERR_PROTOCOL', `storing chunks failed: ${String(err)}`)))
      .finally(() => {
        this.writing = undefined;
        // A chunk staged after the loop's last look, but before this ran, still needs a writer.
        if (this.staged.length > 0) this.kickWriter(a);
      });
  }

  /** Group commit: all staged chunks in one transaction, acknowledged only once it completes. */
  private async commitStaged(a: Active): Promise<void> {
    while (this.staged.length > 0 && this.active === a) {
      if (this.storageFull) {
        // Paused: nothing is written to a full disk until a probe fits (see probeUntilRoom); the
        // sender offers these chunks again.
        this.staged = [];
        return;
      }
      const batch = this.staged.splice(0, MAX_CHUNKS_PER_TRANSACTION);
      const chunks = batch.flatMap((b) => (b.chunk ? [b.chunk] : []));
      if (chunks.length > 0) {
        const next = new ChunkMap(a.manifest.chunkCount, a.map.bits);
        let bytes = a.bytes;
        for (const chunk of chunks) if (next.add(chunk.index)) bytes += chunk.data.size;
        const checkpoint = { ...this.checkpointOf(a), chunkMap: next.bits, bytesTransferred: bytes };
        try {
          await this.store.putChunks(chunks, checkpoint);
        } catch (err) {
          if (!isStorageFullError(err)) throw err;
          this.onStorageFull(a);
          return;
        }
      }
      // Durable now: only from here on may the sender forget these chunks.
      for (const { index, chunk, port } of batch) {
        if (chunk && a.map.add(index)) {
          a.bytes += chunk.data.size;
          this.accepted++;
        }
        reply(port, { type: 'ack', index });
      }
      this.emitProgress();
      if (a.map.complete) await this.finish(batch[batch.length - 1]!.port);
    }
  }

  /**
   * The disk (or the origin's quota) is full. Nothing already stored is touched; the chunks that
   * could not be written are not acknowledged, so the sender keeps them and offers them again
   * (ACK_STALL_MS): the transfer is paused, and goes on by itself once space is freed.
   */
  private onStorageFull(a: Active): void {
    this.staged = [];
    if (this.storageFull) return;
    this.storageFull = true;
    void this.probeUntilRoom(a);
    this.on.phase('storage-full', `paused at ${a.map.count}/${a.manifest.chunkCount} chunks: storage is full; checking again every few seconds`);
    this.on.error(
      new AppError('ERR_QUOTA_EXCEEDED', 'storage full: this browser refused to store more of the file', 'Free some disk space (or site storage); the transfer resumes by itself, nothing received so far is lost.', {
        storedChunks: a.map.count,
      }),
    );
  }

  /**
   * Retries by itself: a scratch write bigger than any batch, with backoff, and only one that fits
   * lets chunks through again. A nearly full disk is never written to its last byte: on Chromium a
   * blob that does not fit fails harmlessly, but an IndexedDB log append that hits ENOSPC makes
   * the browser delete the origin's whole database (measured on Chromium 156, see RES-1).
   */
  private async probeUntilRoom(a: Active): Promise<void> {
    for (let attempt = 0; this.storageFull && this.active === a; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(STORAGE_RETRY_MAX_MS, STORAGE_RETRY_BASE_MS * 2 ** attempt)));
      try {
        await this.store.probeRoom(STORAGE_PROBE_BYTES);
      } catch (err) {
        if (!isStorageFullError(err)) this.on.error(new AppError('ERR_QUOTA_EXCEEDED', `the storage probe failed: ${String(err)}`, 'Retrying.'));
        continue;
      }
      this.storageFull = false;
      this.on.phase('receiving', 'storage has room again; receiving');
    }
  }

  private async finish(port: ChannelPort): Promise<void> {
    const a = this.active!;
    if (this.assembling) return;
    this.assembling = true;
    try {
      this.on.phase('assembling', 'checking the whole file');
      const parts: Blob[] = [];
      for (let i = 0; i < a.manifest.chunkCount; i++) {
        const chunk = await this.store.getChunk(a.manifest.transferId, i);
        if (!chunk) throw new AppError('ERR_PROTOCOL', `chunk ${i} is missing from storage`);
        parts.push(chunk.data);
      }
      const hash = await this.hasher.hashBlobs(parts);
      if (hash !== a.manifest.fileHash) {
        throw new AppError('ERR_FILE_HASH_MISMATCH', 'the assembled file does not match the sender’s BLAKE3', 'Start the transfer again.', { expected: a.manifest.fileHash, actual: hash });
      }
      await this.store.putCheckpoint({ ...this.checkpointOf(a), completed: true });
      reply(port, { type: 'done', transferId: a.manifest.transferId, fileHash: hash });
      this.on.phase('complete', 'every chunk verified; whole-file BLAKE3 matches');
      this.on.complete(new Blob(parts, { type: a.manifest.mimeType }), a.manifest);
    } finally {
      this.assembling = false;
    }
  }

  private checkpointOf(a: Active): Checkpoint {
    return {
      transferId: a.manifest.transferId,
      manifest: a.manifest,
      bytesTransferred: a.bytes,
      totalBytes: a.manifest.size,
      chunkMap: a.map.bits.slice(),
      timestamp: Date.now(),
      completed: false,
    };
  }

  private chunkBytes(m: Manifest, index: number): number {
    return Math.min(m.chunkSize, m.size - index * m.chunkSize);
  }

  private emitProgress(): void {
    const a = this.active;
    this.on.progress({
      verifiedBytes: a?.bytes ?? 0,
      totalBytes: a?.manifest.size ?? 0,
      chunksAccepted: this.accepted,
      chunksRejected: this.rejected,
      chunksDuplicate: this.duplicates,
      resumedFromBytes: this.resumedFromBytes,
      chunksDroppedAtResume: this.droppedAtResume,
    });
  }
}

/**
 * "No room to store this", whichever way the engine says it. Over the origin's quota: a
 * QuotaExceededError. A disk that is really full (measured, Chromium 156 on a full tmpfs): the
 * transaction aborts with a DataError "Failed to write blobs (IOError)" (the quota does not
 * shrink first). IndexedDB's own log hitting ENOSPC: UnknownError "… FILE_ERROR_NO_SPACE", the
 * connection closes, and requests still pending abort (AbortError). Our keys are always valid, so
 * a DataError on commit is the disk; each of these pauses and is retried, never fatal. Firefox
 * (ESR 153): a full disk aborts with QuotaExceededError, and the next readwrite transaction on the
 * connection is a delete-only "cleanup" one whose puts throw InvalidStateError "…did not allow
 * mutations" (see CheckpointStore.probeRoom): the same full disk, said the second time.
 */
function isStorageFullError(err: unknown): boolean {
  const { name = '', message = '' } = typeof err === 'object' && err !== null ? (err as { name?: string; message?: string }) : {};
  return (
    name === 'QuotaExceededError' ||
    name === 'UnknownError' ||
    (name === 'DataError' && /write blob/i.test(message)) ||
    (name === 'InvalidStateError' && /did not allow mutations/i.test(message)) ||
    // We never abort our own transactions; after a failed write Chromium closes the connection
    // (the store reopens it on the next attempt).
    name === 'AbortError' ||
    name === 'StorageUnavailableError'
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function reply(port: ChannelPort, msg: ControlMessage): void {
  if (port.alive) port.send(JSON.stringify(msg));
}
