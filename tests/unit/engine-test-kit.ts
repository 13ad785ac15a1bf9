/**
 * What the transfer engine's unit tests share: an in-memory implementation of the receiver's store
 * contract (Node has no IndexedDB, and fake-indexeddb is not installed), an in-process channel
 * between two engine halves, the real BLAKE3 engine, and a waiter with a deadline. Only the store
 * and the channel stand in for the browser; every engine class under test is the app's own.
 */
import type { Remote } from 'comlink';

import { hashApi } from '../../app-under-test/hash/hash-engine.js';
import type { HashApi } from '../../app-under-test/hash/hash-api.js';
import type { ChannelPort } from '../../app-under-test/net/channel-port.js';
import { PeerAuth } from '../../app-under-test/security/peer-auth.js';
import { importMacKey, newSessionKeyBytes } from '../../app-under-test/security/session-key.js';
import type { Checkpoint, StoredChunk } from '../../app-under-test/storage/checkpoint-store.js';
import type { ControlMessage, Manifest } from '../../app-under-test/transfer/protocol.js';
import type { ReceiverStore } from '../../app-under-test/transfer/receiver.js';

/** The worker's code, called in-process: same BLAKE3 and frames as in the browser. */
export const hasher = hashApi as unknown as Remote<HashApi>;

/** Everything here is in-process; a condition not met within this is a failure, not a slow machine. */
export const WAIT_TIMEOUT_MS = 5_000;

/** Wakes waiters whenever something they may be waiting for happened. */
export class Waiter {
  private waiters = new Set<() => void>();

  notify(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  async until(what: string, check: () => boolean, seen: () => unknown = () => undefined): Promise<void> {
    const deadline = Date.now() + WAIT_TIMEOUT_MS;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`waited ${WAIT_TIMEOUT_MS} ms for ${what}; saw ${JSON.stringify(seen())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** One end of an in-process DataChannel: records what it sends, delivers it to the other end later. */
export class TestPort implements ChannelPort {
  readonly sent: (string | ArrayBuffer)[] = [];
  alive = true;
  readonly bufferedAmount = 0;
  deliver: (data: string | ArrayBuffer) => void = () => {};

  constructor(
    readonly generation: string,
    private readonly waiter: Waiter,
    /** Shared log of what happened in which order ("ack 3", "commit 3", …). */
    private readonly timeline: string[],
  ) {}

  send(data: string | ArrayBuffer): void {
    if (!this.alive) throw new Error('connection is gone');
    this.sent.push(data);
    if (typeof data === 'string') this.timeline.push(describe(JSON.parse(data) as ControlMessage));
    // Like a channel: delivered after the sender's current turn, in order.
    setImmediate(() => {
      this.deliver(data);
      this.waiter.notify();
    });
    this.waiter.notify();
  }

  waitForLowBuffer(): Promise<void> {
    return Promise.resolve();
  }

  /** The control messages this end sent, parsed. */
  controls(): ControlMessage[] {
    return this.sent.filter((d): d is string => typeof d === 'string').map((d) => JSON.parse(d) as ControlMessage);
  }

  acks(): number[] {
    return this.controls().flatMap((m) => (m.type === 'ack' ? [m.index] : []));
  }
}

function describe(m: ControlMessage): string {
  return m.type === 'ack' ? `ack ${m.index}` : m.type;
}

type Deferred = { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void };

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * The receiver's store contract in memory, with IndexedDB's transaction semantics: putChunks
 * applies its chunks and checkpoint together when it resolves, or none of them when it rejects.
 * `hold()` keeps every write from committing until the test releases it.
 */
export class MemoryStore implements ReceiverStore {
  readonly checkpoints = new Map<string, Checkpoint>();
  readonly chunks = new Map<string, StoredChunk>();
  /** Chunk indices written by committed transactions, one entry per write. */
  readonly chunkWrites: number[] = [];
  /** Transactions begun and not yet settled. */
  readonly pending: { indices: number[]; gate: Deferred }[] = [];
  private holding = false;

  constructor(
    private readonly waiter: Waiter,
    private readonly timeline: string[],
  ) {}

  hold(): void {
    this.holding = true;
  }

  /** Commits (or fails with `err`) the oldest pending write; with `keepHolding` false, later ones commit freely. */
  release(opts: { err?: unknown; keepHolding?: boolean } = {}): void {
    const next = this.pending.shift();
    if (!next) throw new Error('no write is pending');
    this.holding = opts.keepHolding ?? false;
    if (opts.err !== undefined) next.gate.reject(opts.err);
    else next.gate.resolve();
  }

  async getCheckpoint(transferId: string): Promise<Checkpoint | undefined> {
    const c = this.checkpoints.get(transferId);
    return c && { ...c, chunkMap: c.chunkMap.slice() };
  }

  async putCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.checkpoints.set(checkpoint.transferId, { ...checkpoint, chunkMap: checkpoint.chunkMap.slice() });
  }

  async putChunks(chunks: StoredChunk[], checkpoint: Checkpoint): Promise<void> {
    const indices = chunks.map((c) => c.index);
    const gate = deferred();
    if (this.holding) this.pending.push({ indices, gate });
    else gate.resolve();
    this.timeline.push(`begin ${indices.join(',')}`);
    this.waiter.notify();
    try {
      await gate.promise;
    } finally {
      this.waiter.notify();
    }
    for (const c of chunks) this.chunks.set(key(c.transferId, c.index), c);
    this.checkpoints.set(checkpoint.transferId, { ...checkpoint, chunkMap: checkpoint.chunkMap.slice() });
    this.chunkWrites.push(...indices);
    this.timeline.push(`commit ${indices.join(',')}`);
  }

  async getChunk(transferId: string, index: number): Promise<StoredChunk | undefined> {
    return this.chunks.get(key(transferId, index));
  }

  async probeRoom(): Promise<void> {}
}

function key(transferId: string, index: number): string {
  return `${transferId}/${index}`;
}

/** Deterministic bytes, so a failure reproduces. */
export function fileBytes(size: number, seed = 7): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export async function manifestOf(bytes: Uint8Array<ArrayBuffer>, chunkSize: number, transferId = 'transfer-1'): Promise<Manifest> {
  return {
    transferId,
    name: 'file.bin',
    size: bytes.length,
    mimeType: 'application/octet-stream',
    chunkSize,
    chunkCount: Math.ceil(bytes.length / chunkSize),
    fileHash: await hasher.hashBlob(new Blob([bytes])),
  };
}

/** The chunk as the receiver stores it: its bytes and its chunk digest. */
export async function storedChunk(m: Manifest, bytes: Uint8Array<ArrayBuffer>, index: number): Promise<StoredChunk> {
  const data = bytes.slice(index * m.chunkSize, Math.min(bytes.length, (index + 1) * m.chunkSize));
  return { transferId: m.transferId, index, hash: await hasher.chunkDigest(index, data.slice().buffer), data: new Blob([data]) };
}

/** Ready-to-send chunk frames, made by the same code the sender uses. */
export async function framesOf(m: Manifest, bytes: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer[]> {
  return hasher.prepareFrames(new Blob([bytes]), 0, m.chunkCount, m.chunkSize);
}

/** A sender's and a receiver's PeerAuth holding the same session key. */
export async function authPair(): Promise<{ sender: PeerAuth; receiver: PeerAuth }> {
  const key = await importMacKey(newSessionKeyBytes());
  return { sender: new PeerAuth('sender', key), receiver: new PeerAuth('receiver', key) };
}
