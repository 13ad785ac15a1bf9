import type { Remote } from 'comlink';
import { ACK_STALL_MS, BUFFERED_HIGH_BYTES, PREFETCH_FRAMES, READ_RUN_CHUNKS, SEND_WINDOW_CHUNKS } from '../config.js';
import { AppError } from '../errors.js';
import type { HashApi } from '../hash/hash-api.js';
import type { ChannelPort } from '../net/channel-port.js';
import type { PeerAuth } from '../security/peer-auth.js';
import { ChunkMap } from './chunk-map.js';
import { CHUNK_FRAME_HEADER_BYTES, PROTOCOL_VERSION, type ChallengeMessage, type ControlMessage, type Manifest, type ProofMessage } from './protocol.js';
import { parseControl } from './validate-control.js';

export interface SenderProgress {
  /** Bytes the receiver has verified and stored (acknowledged). */
  ackedBytes: number;
  /** Payload bytes put on the wire, counting every resend. */
  sentBytes: number;
  /** Payload bytes sent for chunks that had been sent before (lost in flight, rejected, or not yet durable). */
  resentBytes: number;
  totalBytes: number;
}

export interface SenderEvents {
  progress(p: SenderProgress): void;
  phase(phase: 'waiting-for-receiver' | 'sending' | 'done' | 'refused', detail: string): void;
  error(err: AppError): void;
  /** The peer on `port` failed to prove the session key and was refused (SEC-1). */
  refusedPeer(count: number, reason: string, port: ChannelPort): void;
}

/**
 * Sends one file over whatever connection is current. Each new connection starts with the
 * manifest; the receiver answers with the chunks it already holds, and only the rest is sent.
 * Chunks in flight are bounded by SEND_WINDOW_CHUNKS, so a recovery resends at most that much.
 */
export class Sender {
  private acked: ChunkMap;
  private everSent: ChunkMap;
  private readonly inflight = new Set<number>();
  /** In-flight chunk indices, oldest first. */
  private sendOrder: number[] = [];
  private lastAckMs = 0;
  private queue: number[] = [];
  private port: ChannelPort | undefined;
  private sentBytes = 0;
  private resentBytes = 0;
  private ackedBytes = 0;
  private finished = false;
  private wakeup: (() => void) | undefined;
  /** Proof checks run in arrival order: a challenge is answered only after the proof before it. */
  private authChain: Promise<void> = Promise.resolve();
  private refusals = 0;

  constructor(
    private readonly file: Blob,
    readonly manifest: Manifest,
    private readonly hasher: Remote<HashApi>,
    private readonly on: SenderEvents,
    /** Checks the receiver's proof of the session key before anything but a challenge is sent (SEC-1). */
    private readonly auth: PeerAuth,
  ) {
    this.acked = new ChunkMap(manifest.chunkCount);
    this.everSent = new ChunkMap(manifest.chunkCount);
  }

  attach(port: ChannelPort): void {
    this.detach();
    this.port = port;
    this.on.phase('waiting-for-receiver', 'waiting for the receiver’s proof of the session key');
    send(port, this.auth.challenge(port, this.manifest.transferId));
  }

  /** The connection is gone: what was in flight is not known to be stored, so it is due again. */
  detach(): void {
    this.port = undefined;
    this.inflight.clear();
    this.sendOrder = [];
    this.notify();
  }

  onMessage(data: string | Uint8Array, port: ChannelPort): void {
    if (port !== this.port) return;
    if (typeof data !== 'string') return this.on.error(new AppError('ERR_PROTOCOL', 'the receiver sent binary data; ignored'));
    const msg = parseControl(data);
    if (!msg) return this.on.error(new AppError('ERR_PROTOCOL', `ignored a malformed control message (${data.slice(0, 80)})`));
    if (msg.type === 'proof' || msg.type === 'challenge') {
      this.authChain = this.authChain.then(() => (msg.type === 'proof' ? this.onProof(msg, port) : this.onChallenge(msg, port))).catch((err: unknown) => this.on.error(new AppError('ERR_PROTOCOL', `proof check failed: ${String(err)}`)));
      return;
    }
    if (msg.type === 'heartbeat') return;
    // Nothing from a peer that has not proved the key is acted on: not a resume (which would
    // start chunks flowing to it), nor an ack, nack or done (which would steer the transfer).
    if (!this.auth.isProven(port, this.manifest.transferId)) return this.refuse(port, `a ${msg.type} message before any valid proof of the session key`);
    switch (msg.type) {
      case 'resume':
        return this.onResume(msg.chunkMap, port);
      case 'ack':
        return this.onAck(msg.index);
      case 'nack':
        if (this.inflight.delete(msg.index)) this.sendOrder.splice(this.sendOrder.indexOf(msg.index), 1);
        if (!this.acked.has(msg.index)) this.queue.unshift(msg.index);
        return this.notify();
      case 'done':
        if (msg.fileHash !== this.manifest.fileHash) {
          return this.on.error(new AppError('ERR_FILE_HASH_MISMATCH', 'the receiver reports a different whole-file hash', '', { ours: this.manifest.fileHash, theirs: msg.fileHash }));
        }
        this.finished = true;
        return this.on.phase('done', 'the receiver verified the whole file');
      case 'refuse':
        this.on.phase('refused', msg.message);
        return this.on.error(new AppError('ERR_PEER_REFUSED', msg.message, 'Start a fresh transfer with this file.', { code: msg.code }));
      default:
        return;
    }
  }

  /** The receiver's answer to our challenge. */
  private async onProof(p: ProofMessage, port: ChannelPort): Promise<void> {
    const failure = await this.auth.verify(port, p);
    if (failure !== undefined) this.refuse(port, failure);
  }

  /**
   * The receiver's challenge, answered only once it has proved itself: a peer that has not gets no
   * MAC from us to study, and no manifest (file name, size, hash).
   */
  private async onChallenge(c: ChallengeMessage, port: ChannelPort): Promise<void> {
    if (port !== this.port || !this.auth.isProven(port, this.manifest.transferId)) return;
    if (c.transferId !== this.manifest.transferId) return this.refuse(port, `a challenge for transfer ${c.transferId}, not ours`);
    const proof = await this.auth.prove(c);
    if (!proof || port !== this.port || !port.alive) return;
    send(port, proof);
    this.on.phase('waiting-for-receiver', 'the receiver proved the session key; sent the manifest, waiting for its checkpoint');
    send(port, { type: 'manifest', version: PROTOCOL_VERSION, manifest: this.manifest });
  }

  /** Refused: the peer is told why, the user sees it, and no chunk goes to it. */
  private refuse(port: ChannelPort, reason: string): void {
    this.refusals++;
    const message = `resume refused: the peer on this connection did not prove the transfer’s session key (${reason}); no chunk was sent to it`;
    if (port.alive) send(port, { type: 'refuse', transferId: this.manifest.transferId, code: 'ERR_RESUME_UNAUTHORIZED', message });
    this.on.refusedPeer(this.refusals, reason, port);
    this.on.error(new AppError('ERR_RESUME_UNAUTHORIZED', message, 'If that was your receiver, it must open the complete link (with &k=…). Otherwise someone holds the room link without its key: nothing was sent to them.', { refusals: this.refusals }));
  }

  get done(): boolean {
    return this.finished;
  }

  private onResume(chunkMapB64: string, port: ChannelPort): void {
    // The receiver's durable map is the truth: anything it lacks is due, even if acked before.
    this.acked = ChunkMap.fromBase64(this.manifest.chunkCount, chunkMapB64);
    this.ackedBytes = 0;
    for (let i = 0; i < this.manifest.chunkCount; i++) if (this.acked.has(i)) this.ackedBytes += this.chunkBytes(i);
    this.queue = [...this.acked.missing()];
    this.emitProgress();
    this.on.phase('sending', `receiver holds ${this.acked.count}/${this.manifest.chunkCount} chunks; sending ${this.queue.length}`);
    void this.pump(port).catch((err: unknown) => this.on.error(new AppError('ERR_PROTOCOL', `send loop failed: ${String(err)}`)));
  }

  /**
   * Acks come back in the order the frames arrived, and the channel is ordered: so every frame
   * sent before `index` and still unacknowledged was rejected on arrival (a damaged frame may not
   * even name its own index) and is due again. No timer needed.
   */
  private onAck(index: number): void {
    this.lastAckMs = performance.now();
    const pos = this.sendOrder.indexOf(index);
    if (pos >= 0) {
      const lost = this.sendOrder.splice(0, pos + 1).slice(0, -1);
      for (const i of lost) this.inflight.delete(i);
      this.queue.unshift(...lost.filter((i) => !this.acked.has(i)));
    }
    this.inflight.delete(index);
    if (this.acked.add(index)) this.ackedBytes += this.chunkBytes(index);
    this.emitProgress();
    this.notify();
  }

  private async pump(port: ChannelPort): Promise<void> {
    const ahead: { index: number; frame: Promise<ArrayBuffer> }[] = [];
    try {
      while (this.port === port && port.alive && !this.finished) {
        if (ahead.length < PREFETCH_FRAMES) this.prefetch(ahead);
        if (ahead.length === 0 || this.inflight.size >= SEND_WINDOW_CHUNKS) {
          if (!(await this.wait(ACK_STALL_MS)) && this.inflight.size > 0 && performance.now() - this.lastAckMs >= ACK_STALL_MS) {
            // The last frames were rejected and no later ack can reveal it: send them again.
            this.queue.unshift(...this.sendOrder.splice(0));
            this.inflight.clear();
          }
          continue;
        }
        if (port.bufferedAmount > BUFFERED_HIGH_BYTES) {
          await port.waitForLowBuffer();
          continue;
        }
        const next = ahead[0]!;
        const frame = await next.frame;
        if (this.port !== port || !port.alive) break;
        ahead.shift();
        if (this.acked.has(next.index)) continue;
        port.send(frame);
        const bytes = frame.byteLength - CHUNK_FRAME_HEADER_BYTES;
        this.inflight.add(next.index);
        this.sendOrder.push(next.index);
        this.sentBytes += bytes;
        if (!this.everSent.add(next.index)) this.resentBytes += bytes;
        this.emitProgress();
      }
    } finally {
      // Frames prepared but not sent go back to the front of the queue, in order.
      this.queue.unshift(...ahead.map((a) => a.index));
    }
  }

  /** Takes the next run of consecutive due chunks off the queue and has the worker read it at once. */
  private prefetch(ahead: { index: number; frame: Promise<ArrayBuffer> }[]): void {
    const due = (i: number) => !this.acked.has(i) && !this.inflight.has(i) && !ahead.some((a) => a.index === i);
    while (this.queue.length > 0 && !due(this.queue[0]!)) this.queue.shift();
    if (this.queue.length === 0) return;
    const first = this.queue.shift()!;
    let count = 1;
    while (count < READ_RUN_CHUNKS && this.queue[0] === first + count && due(first + count)) {
      this.queue.shift();
      count++;
    }
    const frames = this.hasher.prepareFrames(this.file, first, count, this.manifest.chunkSize);
    for (let k = 0; k < count; k++) ahead.push({ index: first + k, frame: frames.then((f) => f[k]!) });
  }

  /** Resolves true when notified, false when `timeoutMs` passed first. */
  private wait(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeup = undefined;
        resolve(false);
      }, timeoutMs);
      this.wakeup = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  private notify(): void {
    const w = this.wakeup;
    this.wakeup = undefined;
    w?.();
  }

  private chunkBytes(index: number): number {
    return Math.min(this.manifest.chunkSize, this.manifest.size - index * this.manifest.chunkSize);
  }

  private emitProgress(): void {
    this.on.progress({ ackedBytes: this.ackedBytes, sentBytes: this.sentBytes, resentBytes: this.resentBytes, totalBytes: this.manifest.size });
  }
}

function send(port: ChannelPort, msg: ControlMessage): void {
  port.send(JSON.stringify(msg));
}
