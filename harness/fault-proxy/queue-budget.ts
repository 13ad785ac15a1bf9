/**
 * The proxy-wide cap on bytes held in delay and rate queues, so a long delay on a fast stream
 * cannot grow memory without bound. UDP checks `fits()` and drops beyond it; TCP cannot drop bytes
 * from a stream, so it takes what it already read and pauses its reader until `onRoom` fires.
 */
export class QueueBudget {
  private used = 0;
  private readonly roomListeners = new Set<() => void>();

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  get hasRoom(): boolean {
    return this.used < this.limitBytes;
  }

  fits(bytes: number): boolean {
    return this.used + bytes <= this.limitBytes;
  }

  take(bytes: number): void {
    this.used += bytes;
  }

  give(bytes: number): void {
    const wasFull = !this.hasRoom;
    this.used = Math.max(0, this.used - bytes);
    // Only the full → room edge is news; waking every paused reader on each release would be O(readers) per packet.
    if (wasFull && this.hasRoom) for (const listener of [...this.roomListeners]) listener();
  }

  /** Calls `listener` each time the budget goes from full to having room again, until unsubscribed. */
  onRoom(listener: () => void): () => void {
    this.roomListeners.add(listener);
    return () => this.roomListeners.delete(listener);
  }
}
