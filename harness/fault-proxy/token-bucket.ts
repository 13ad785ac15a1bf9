/**
 * A token bucket that answers "how long must these bytes wait?" instead of refusing them. Every
 * reservation is charged at once, so the balance may go negative: that debt is the queue in front
 * of the link, and later reservations wait behind it, which keeps one direction in order.
 */

/** A bucket with no burst would stutter on timer granularity (~1 ms); 20 ms of credit smooths it. */
const BURST_MS = 20;
/** One Ethernet MTU: a full-size datagram must fit in the burst even at very low rates. */
const MIN_BURST_BYTES = 1_500;
const BITS_PER_BYTE = 8;

export class TokenBucket {
  /** kbps is 1000 bit/s, so kilobits per second equal bits per millisecond. */
  readonly bytesPerMs: number;
  readonly capacityBytes: number;
  private balanceBytes: number;
  private lastRefillMs: number;

  constructor(readonly rateKbps: number, nowMs: number) {
    this.bytesPerMs = rateKbps / BITS_PER_BYTE;
    this.capacityBytes = Math.max(MIN_BURST_BYTES, this.bytesPerMs * BURST_MS);
    this.balanceBytes = this.capacityBytes;
    this.lastRefillMs = nowMs;
  }

  private refill(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.lastRefillMs);
    this.balanceBytes = Math.min(this.capacityBytes, this.balanceBytes + elapsedMs * this.bytesPerMs);
    this.lastRefillMs = nowMs;
  }

  /**
   * Charges `bytes` and returns how many ms they must wait before they may go (0: now). When the
   * wait would exceed `maxWaitMs` nothing is charged and undefined is returned: the caller drops.
   */
  reserve(bytes: number, nowMs: number, maxWaitMs = Infinity): number | undefined {
    this.refill(nowMs);
    const after = this.balanceBytes - bytes;
    const waitMs = after >= 0 ? 0 : -after / this.bytesPerMs;
    if (waitMs > maxWaitMs) return undefined;
    this.balanceBytes = after;
    return waitMs;
  }
}
