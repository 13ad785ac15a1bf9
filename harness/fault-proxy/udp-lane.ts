import type { ProxyToxics, UdpDropReason } from './control-protocol.js';
import type { ProxyCounters } from './counters.js';
import { DelayQueue } from './delay-queue.js';
import type { QueueBudget } from './queue-budget.js';
import { chance, sampleLatencyMs } from './random-toxics.js';
import { TokenBucket } from './token-bucket.js';

/**
 * One direction of one UDP session: every datagram runs the toxics in link order (blocked? lost?
 * rate-shaped, delayed, then maybe held back for reordering) and is sent on or counted as dropped.
 */

/**
 * A rate-limited UDP link queues at most this long before it tail-drops, like a router's buffer.
 * Without it a 100 kbps cap would queue seconds of media and SCTP would see absurd RTTs.
 */
export const UDP_SHAPER_BUFFER_MS = 250;
/** A datagram held back for reordering goes out alone after this, if no other follows it. */
export const REORDER_HOLD_MAX_MS = 50;

export interface UdpLaneOptions {
  toxics: () => Readonly<ProxyToxics>;
  send: (datagram: Buffer) => void;
  budget: QueueBudget;
  counters: ProxyCounters;
}

export function isUdpBlocked(toxics: Readonly<ProxyToxics>): boolean {
  return Boolean(toxics.blackhole || toxics.blockUdp);
}

export class UdpLane {
  private readonly queue: DelayQueue<Buffer>;
  private bucket: TokenBucket | undefined;
  private held: Buffer | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: UdpLaneOptions) {
    this.queue = new DelayQueue((datagram) => this.egress(datagram), opts.budget);
  }

  push(datagram: Buffer): void {
    if (this.closed) return;
    this.opts.counters.udpPacketsIn++;
    const toxics = this.opts.toxics();
    if (isUdpBlocked(toxics)) return this.drop('blocked');
    if (toxics.lossPercent && chance(toxics.lossPercent)) return this.drop('loss');
    if (!toxics.rateKbps && !toxics.delayMs && !toxics.jitterMs) return this.egress(datagram);
    // Checked before the bucket is charged, so a datagram dropped here costs no bandwidth.
    if (!this.opts.budget.fits(datagram.length)) return this.drop('queueFull');
    const nowMs = performance.now();
    let shapingMs = 0;
    if (toxics.rateKbps) {
      const waitMs = this.bucketFor(toxics.rateKbps, nowMs).reserve(datagram.length, nowMs, UDP_SHAPER_BUFFER_MS);
      if (waitMs === undefined) return this.drop('rateLimit');
      shapingMs = waitMs;
    }
    const dueMs = nowMs + shapingMs + sampleLatencyMs(toxics);
    if (dueMs <= nowMs) return this.egress(datagram);
    this.queue.add(datagram, datagram.length, dueMs);
  }

  close(): void {
    this.closed = true;
    this.queue.close();
    clearTimeout(this.holdTimer);
    this.held = undefined;
  }

  private bucketFor(rateKbps: number, nowMs: number): TokenBucket {
    if (this.bucket?.rateKbps !== rateKbps) this.bucket = new TokenBucket(rateKbps, nowMs);
    return this.bucket;
  }

  /** Leaving the link: a block applied while the datagram was queued still catches it (it was on the wire). */
  private egress(datagram: Buffer): void {
    if (this.closed) return;
    const toxics = this.opts.toxics();
    if (isUdpBlocked(toxics)) return this.drop('blocked');
    if (this.held === undefined && toxics.reorderPercent && chance(toxics.reorderPercent)) {
      this.held = datagram;
      this.holdTimer = setTimeout(() => this.releaseHeld(false), REORDER_HOLD_MAX_MS);
      return;
    }
    this.send(datagram);
    this.releaseHeld(true);
  }

  private releaseHeld(overtaken: boolean): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    clearTimeout(this.holdTimer);
    if (isUdpBlocked(this.opts.toxics())) return this.drop('blocked');
    if (overtaken) this.opts.counters.udpPacketsReordered++;
    this.send(held);
  }

  private send(datagram: Buffer): void {
    this.opts.counters.udpPacketsOut++;
    this.opts.send(datagram);
  }

  private drop(reason: UdpDropReason): void {
    this.opts.counters.udpDrops[reason]++;
  }
}
