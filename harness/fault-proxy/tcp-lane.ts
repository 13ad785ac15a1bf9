import type net from 'node:net';

import type { ProxyToxics } from './control-protocol.js';
import type { ProxyCounters } from './counters.js';
import { DelayQueue } from './delay-queue.js';
import type { QueueBudget } from './queue-budget.js';
import { sampleLatencyMs } from './random-toxics.js';
import { TokenBucket } from './token-bucket.js';

/**
 * One direction of one TCP connection, `source` → `dest`. A byte stream cannot lose or reorder
 * bytes without corrupting it, so the toxics here only delay: latency and rate push each chunk's
 * release time back (never before the previous chunk's), and a blackhole holds everything until it
 * is healed, as TCP's retransmissions would over a real cut. Memory stays bounded by pausing the
 * source socket, never by dropping: the kernel's buffers and the sender's TCP window do the rest.
 */

export interface TcpLaneOptions {
  toxics: () => Readonly<ProxyToxics>;
  budget: QueueBudget;
  counters: ProxyCounters;
}

export class TcpLane {
  private readonly queue: DelayQueue<Buffer>;
  private bucket: TokenBucket | undefined;
  private lastDueMs = 0;
  private sourceEnded = false;
  private closed = false;
  private waitingForDrain = false;
  private readonly unsubscribeRoom: () => void;

  constructor(private readonly source: net.Socket, private readonly dest: net.Socket, private readonly opts: TcpLaneOptions) {
    this.queue = new DelayQueue((chunk) => this.write(chunk), opts.budget);
    this.unsubscribeRoom = opts.budget.onRoom(() => this.updateFlow());
    source.on('data', (chunk: Buffer) => this.push(chunk));
    source.on('end', () => {
      this.sourceEnded = true;
      this.endIfDrained();
    });
    this.updateFlow();
  }

  /** Re-reads the toxics: call after they change, so a stall starts or ends at once. */
  updateFlow(): void {
    if (this.closed) return;
    const stalled = Boolean(this.opts.toxics().blackhole);
    if (stalled) this.queue.hold();
    else this.queue.resume();
    const mustPause = stalled || !this.opts.budget.hasRoom || this.dest.writableNeedDrain;
    if (mustPause && !this.source.isPaused()) this.source.pause();
    else if (!mustPause && this.source.isPaused()) this.source.resume();
    if (this.dest.writableNeedDrain && !this.waitingForDrain) {
      this.waitingForDrain = true;
      this.dest.once('drain', () => {
        this.waitingForDrain = false;
        this.updateFlow();
      });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.close();
    this.unsubscribeRoom();
  }

  private push(chunk: Buffer): void {
    if (this.closed) return;
    const toxics = this.opts.toxics();
    const nowMs = performance.now();
    const shapingMs = toxics.rateKbps ? this.bucketFor(toxics.rateKbps, nowMs).reserve(chunk.length, nowMs) ?? 0 : 0;
    const dueMs = Math.max(this.lastDueMs, nowMs + shapingMs + sampleLatencyMs(toxics));
    this.lastDueMs = dueMs;
    if (dueMs <= nowMs && this.queue.length === 0 && !toxics.blackhole) this.write(chunk);
    else this.queue.add(chunk, chunk.length, dueMs);
    this.updateFlow();
  }

  private bucketFor(rateKbps: number, nowMs: number): TokenBucket {
    if (this.bucket?.rateKbps !== rateKbps) this.bucket = new TokenBucket(rateKbps, nowMs);
    return this.bucket;
  }

  private write(chunk: Buffer): void {
    if (this.closed || this.dest.destroyed) return;
    this.opts.counters.tcpBytes += chunk.length;
    this.dest.write(chunk);
    this.updateFlow();
    this.endIfDrained();
  }

  /** The FIN travels in order behind the data, so it waits until the queue is empty. */
  private endIfDrained(): void {
    if (this.sourceEnded && this.queue.length === 0 && !this.closed && !this.dest.destroyed) this.dest.end();
  }
}
