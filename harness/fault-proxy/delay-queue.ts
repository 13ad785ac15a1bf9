import type { QueueBudget } from './queue-budget.js';

/**
 * Items waiting for their release time, in release-time order, behind one timer. Each item's bytes
 * are charged to the shared budget while it waits. `hold()` freezes releases (a stalled TCP
 * connection) without forgetting what is queued.
 */

interface Entry<T> { dueMs: number; item: T; bytes: number }

/** Compact the array once this many released entries sit before the head (shift() per release is O(n)). */
const COMPACT_AFTER_ENTRIES = 1_024;

export class DelayQueue<T> {
  private entries: Entry<T>[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private closed = false;

  constructor(
    private readonly release: (item: T) => void,
    private readonly budget: QueueBudget,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get length(): number {
    return this.entries.length - this.head;
  }

  /** Queues `item` until `dueMs`; an item due at the same time as others goes after them. */
  add(item: T, bytes: number, dueMs: number): void {
    if (this.closed) return;
    let i = this.entries.length;
    // Nearly always appends: only jittered UDP lands earlier than the tail.
    while (i > this.head && this.entries[i - 1]!.dueMs > dueMs) i--;
    this.entries.splice(i, 0, { dueMs, item, bytes });
    this.budget.take(bytes);
    if (i === this.head) this.arm();
  }

  hold(): void {
    this.held = true;
    this.disarm();
  }

  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.arm();
  }

  /** Forgets everything queued and returns its bytes to the budget; the queue takes no more items. */
  close(): void {
    this.closed = true;
    this.disarm();
    for (let i = this.head; i < this.entries.length; i++) this.budget.give(this.entries[i]!.bytes);
    this.entries = [];
    this.head = 0;
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.disarm();
    if (this.held || this.closed || this.length === 0) return;
    const waitMs = this.entries[this.head]!.dueMs - this.now();
    // setTimeout rounds to whole ms and never fires early by more than that; 1 ms keeps us from spinning.
    this.timer = setTimeout(() => this.releaseDue(), Math.max(1, Math.ceil(waitMs)));
  }

  private releaseDue(): void {
    this.timer = undefined;
    const nowMs = this.now();
    while (!this.held && !this.closed && this.length > 0 && this.entries[this.head]!.dueMs <= nowMs) {
      const entry = this.entries[this.head]!;
      this.head++;
      this.budget.give(entry.bytes);
      this.release(entry.item);
    }
    if (this.head >= COMPACT_AFTER_ENTRIES && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.arm();
  }
}
