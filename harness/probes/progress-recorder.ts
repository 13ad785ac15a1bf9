import type { Page } from '@playwright/test';
import type { TransferApp, TransferProgress } from '../app-adapter.js';

export interface ProgressSample extends TransferProgress {
  /** ms since the recorder started. */
  t: number;
  peer: string;
}

const SAMPLE_INTERVAL_MS = 100;

/**
 * Polls each peer's progress in the background, so a test can ask afterwards when the stall
 * began and when bytes flowed again, without sleeping for anything.
 */
export class ProgressRecorder {
  /**
   * Recorders made during the current test. Tests create them inside helpers that have no
   * fixture access (startTransfer); the chaos fixture takes them in teardown to draw timelines.
   */
  private static readonly live = new Set<ProgressRecorder>();

  static takeAll(): ProgressRecorder[] {
    const all = [...ProgressRecorder.live];
    ProgressRecorder.live.clear();
    return all;
  }

  readonly samples: ProgressSample[] = [];
  readonly startedAt = Date.now();
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private finalSample: Promise<void> | undefined;

  constructor(
    private readonly app: TransferApp,
    private readonly pages: Record<string, () => Page | undefined>,
  ) {
    for (const [peer, page] of Object.entries(pages)) this.loops.push(this.poll(peer, page));
    ProgressRecorder.live.add(this);
  }

  now(): number {
    return Date.now() - this.startedAt;
  }

  private async poll(peer: string, page: () => Page | undefined): Promise<void> {
    while (this.running) {
      await this.sample(peer, page);
      await new Promise((r) => setTimeout(r, SAMPLE_INTERVAL_MS));
    }
  }

  private async sample(peer: string, page: () => Page | undefined): Promise<void> {
    const p = page();
    if (!p || p.isClosed()) return;
    const sample = await this.app.progress(p).catch(() => undefined);
    if (sample) this.samples.push({ ...sample, t: this.now(), peer });
  }

  /** Takes a sample of `peer` now (recorded like the polled ones); undefined when its page is gone or does not answer. */
  async sampleNow(peer: string): Promise<ProgressSample | undefined> {
    const page = this.pages[peer];
    if (!page) return undefined;
    const before = this.samples.length;
    await this.sample(peer, page);
    return this.samples.length > before ? this.samples[this.samples.length - 1] : undefined;
  }

  /** The first sample of `peer` at or after time `t` that satisfies `pred`. */
  firstAfter(peer: string, t: number, pred: (s: ProgressSample) => boolean): ProgressSample | undefined {
    return this.samples.find((s) => s.peer === peer && s.t >= t && pred(s));
  }

  lastBefore(peer: string, t: number): ProgressSample | undefined {
    return [...this.samples].reverse().find((s) => s.peer === peer && s.t <= t);
  }

  /**
   * Ends the polling and takes one last sample of every peer, so the state at stop — typically the
   * completed transfer — is always recorded (a 100 ms poll on a loaded machine can otherwise end
   * before it). Safe to call more than once: the last sample is taken once.
   */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.finalSample ??= Promise.all(Object.entries(this.pages).map(([peer, page]) => this.sample(peer, page))).then(() => undefined);
    await this.finalSample;
  }
}
