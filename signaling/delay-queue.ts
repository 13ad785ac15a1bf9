/**
 * Holds messages for one receiver and delivers each when its delay is up, never out of order: a
 * message waits for the one before it, as on a slow TCP path (chaos latency must not reorder
 * signals; a real relay never does). One timer per queue, running only while it holds anything.
 */
export class DelayQueue<M> {
  private readonly items: Array<{ dueAtMs: number; msg: M }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deliver: (msg: M) => void,
    /** Past this many held messages, new ones are refused (push returns false). */
    private readonly maxItems: number,
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** Queues `msg` for `delayMs` from now, or later if an earlier message is due after that. */
  push(msg: M, delayMs: number): boolean {
    if (this.items.length >= this.maxItems) return false;
    const last = this.items[this.items.length - 1];
    this.items.push({ dueAtMs: Math.max(Date.now() + delayMs, last?.dueAtMs ?? 0), msg });
    if (this.timer === undefined) this.schedule();
    return true;
  }

  /** Drops everything held (the receiver is gone). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items.length = 0;
  }

  private schedule(): void {
    const next = this.items[0];
    if (next === undefined) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => {
      const now = Date.now();
      try {
        while (this.items.length > 0 && this.items[0]!.dueAtMs <= now) this.deliver(this.items.shift()!.msg);
      } finally {
        this.schedule();
      }
    }, Math.max(0, next.dueAtMs - Date.now()));
  }
}
