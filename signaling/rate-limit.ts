/**
 * A token bucket: `burst` tokens, refilled at `ratePerSecond`. Lazy refill on each take, so an
 * idle bucket costs nothing and needs no timer.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAtMs: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.tokens = burst;
    this.updatedAtMs = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until the next token, in ms (0 when one is there now). */
  retryAfterMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  /** A full bucket remembers nothing a fresh one would not: it can be dropped. */
  get full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAtMs) / 1000) * this.ratePerSecond);
    this.updatedAtMs = now;
  }
}

/**
 * One bucket per key (an IP address). Buckets that have refilled are swept, and the map is capped,
 * so a stream of new addresses cannot grow it without end.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxKeys: number,
    private readonly now?: () => number,
  ) {}

  bucket(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.sweep();
      // Still full of busy keys: forget the oldest. It restarts with a full burst, a bounded gift.
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = new TokenBucket(this.ratePerSecond, this.burst, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Drops the buckets that are full again. */
  sweep(): void {
    for (const [key, bucket] of this.buckets) if (bucket.full) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/**
 * Counts refusals within a fixed window; `strike()` says when the count passes the limit.
 * The window starts at the first strike, so a client that is refused now and then never adds up.
 */
export class StrikeCounter {
  private count = 0;
  private windowStartMs = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** Records one strike; true once more than `limit` fell in one window. */
  strike(): boolean {
    const now = this.now();
    if (this.count === 0 || now - this.windowStartMs > this.windowMs) {
      this.count = 0;
      this.windowStartMs = now;
    }
    this.count++;
    return this.count > this.limit;
  }
}
