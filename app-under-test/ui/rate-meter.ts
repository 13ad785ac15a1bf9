/** Throughput over a sliding window, for the progress line's rate and ETA. */
const WINDOW_MS = 3_000;

export class RateMeter {
  private samples: { t: number; bytes: number }[] = [];

  /** Records the running total; returns bytes per second over the window. */
  sample(totalBytes: number, now = performance.now()): number {
    this.samples.push({ t: now, bytes: totalBytes });
    while (this.samples.length > 2 && now - this.samples[0]!.t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const dt = now - first.t;
    return dt > 0 ? ((totalBytes - first.bytes) * 1000) / dt : 0;
  }
}
