import type { Page } from '@playwright/test';
import type { TransferApp, TransferProgress } from '../../../harness/app-adapter.js';
import { HarnessError } from '../../../harness/errors.js';

export interface BundledAppOptions {
  /** Where the app is served, e.g. http://127.0.0.1:4173/ */
  appUrl: string;
  chunkSizeBytes?: number;
  iceTransportPolicy?: 'all' | 'relay';
  /** How the app recovers a dead path (`?recovery=`); absent: the app's default (new-peer, app-under-test/config.ts). */
  recovery?: 'ice-restart' | 'new-peer';
}

const COMPLETE_POLL_MS = 200;
/** Errors after which the bundled app waits for the user ("Start the transfer again"): no completion can follow. */
const TERMINAL_ERRORS = new Set(['ERR_FILE_HASH_MISMATCH']);

/** The bundled app's state, from the data-* attributes of <main id="app"> (also read over raw CDP: TIME-2). */
export function progressFromDataset(d: Record<string, string | undefined>): TransferProgress {
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  return {
    verifiedBytes: num(d.verifiedBytes) ?? 0,
    totalBytes: num(d.totalBytes) ?? 0,
    phase: d.phase ?? '',
    resentBytes: num(d.resentBytes),
    chunksRejected: num(d.chunksRejected),
    chunksAccepted: num(d.chunksAccepted),
    chunksDroppedAtResume: num(d.chunksDroppedAtResume),
    resumedFromBytes: num(d.resumedFromBytes),
    errorCode: d.errorCode,
    linkState: d.linkState,
    signalingState: d.signalingState,
  };
}

/**
 * Whether a receiver's state ends the wait for completion: `complete`, or an error saying why it
 * never will (refused, or a terminal error: fail at once with the app's reason, not minutes later
 * with a timeout); undefined while the transfer may still complete. Shared by every waiter.
 */
export function completionOutcome(p: TransferProgress): 'complete' | HarnessError | undefined {
  if (p.phase === 'complete') return 'complete';
  if (p.phase === 'refused') return new HarnessError('ERR_TRANSFER_FAILED', `the receiver refused the transfer (${p.errorCode ?? 'no code'})`);
  if (p.errorCode && TERMINAL_ERRORS.has(p.errorCode)) {
    return new HarnessError('ERR_TRANSFER_FAILED', `the app stopped the transfer with ${p.errorCode}`, {
      context: { last: p },
      hint: 'The file the receiver assembled does not match the sender’s BLAKE3: a corrupt chunk got past the per-chunk check. See the peer console logs.',
    });
  }
  return undefined;
}

/** The adapter for app-under-test: it reads state from data-* attributes on <main id="app">. */
export class BundledApp implements TransferApp {
  constructor(private readonly opts: BundledAppOptions) {}

  senderUrl(): string {
    const url = new URL(this.opts.appUrl);
    if (this.opts.chunkSizeBytes) url.searchParams.set('chunk', String(this.opts.chunkSizeBytes));
    if (this.opts.iceTransportPolicy) url.searchParams.set('policy', this.opts.iceTransportPolicy);
    if (this.opts.recovery) url.searchParams.set('recovery', this.opts.recovery);
    return url.href;
  }

  async startSend(page: Page, filePath: string): Promise<string> {
    await page.goto(this.senderUrl());
    await page.getByTestId('file-input').setInputFiles(filePath);
    const link = page.getByTestId('room-link');
    await link.waitFor({ state: 'visible', timeout: 60_000 });
    const href = await link.getAttribute('href');
    if (!href) throw new HarnessError('ERR_TRANSFER_FAILED', 'the sender page showed no room link');
    return href;
  }

  async openReceiver(page: Page, link: string): Promise<void> {
    await page.goto(link);
  }

  async progress(page: Page): Promise<TransferProgress> {
    return progressFromDataset(await page.locator('#app').evaluate((el) => ({ ...(el as HTMLElement).dataset })));
  }

  async waitForComplete(page: Page, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: TransferProgress | undefined;
    while (Date.now() < deadline) {
      last = await this.progress(page);
      const outcome = completionOutcome(last);
      if (outcome === 'complete') return;
      if (outcome) {
        const shown = await page.getByTestId('error').innerText().catch(() => '');
        if (shown) outcome.message += ` (the page says: ${shown})`;
        throw outcome;
      }
      await page.waitForTimeout(COMPLETE_POLL_MS);
    }
    throw new HarnessError('ERR_TIMEOUT', `transfer not complete after ${timeoutMs} ms`, {
      context: { last },
      hint: 'See the attached peer console logs and server log tails; run with --headed to watch.',
    });
  }

  async saveReceivedFile(page: Page, destPath: string): Promise<void> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    await download.saveAs(destPath);
  }
}
