import type { Page } from '@playwright/test';
import type { Peer } from '../harness/browser/peer.js';
import { selectedCandidatePairs, type SelectedPair } from '../harness/probes/rtc-capture.js';
import type { IceServer } from '../turn/credentials.js';
import { openBenchPage } from './bench-page.js';
import { bounded } from './bounded.js';
import { bundleBrowserScript } from './browser-bundle.js';
import type { RawBlastPage, RawBlastParams } from './raw-blast-page.js';

/** Two local browsers either connect within this or something is wrong. */
const RAW_CONNECT_TIMEOUT_MS = 30_000;

export interface RawBlastOptions {
  sender: Peer;
  receiver: Peer;
  appUrl: string;
  iceServers: IceServer[];
  iceTransportPolicy: 'all' | 'relay';
  /** Bytes to move; sent as whole frames of frameBytes, the last one rounded up. */
  payloadBytes: number;
  chunkBytes: number;
  frameBytes: number;
  highBytes: number;
  lowBytes: number;
  timeoutMs: number;
}

export interface RawBlastResult {
  /** Offer to open channel, in the sender page. */
  connectMs: number;
  /** Sender's first send() to the receiver's "done" arriving back. */
  transferMs: number;
  /** Frame bytes that crossed (payload plus the 44-byte header per frame, as in the app). */
  wireBytes: number;
  senderPairs: SelectedPair[];
  receiverPairs: SelectedPair[];
}

type BenchWindow = { __benchRaw: RawBlastPage };

/**
 * A raw DataChannel blast between the two browsers the app just used, in a fresh page of each:
 * what the same processes move when nothing but the channel is in the way.
 */
export async function runRawBlast(opts: RawBlastOptions): Promise<RawBlastResult> {
  const script = await bundleBrowserScript('raw-blast-page.ts');
  const pages: Page[] = [];
  try {
    const [s, r] = [await opts.sender.context.newPage(), await opts.receiver.context.newPage()];
    pages.push(s, r);
    for (const [page, other] of [[s, r], [r, s]] as const) {
      // Node is the signaling channel: what one page emits is handed to the other.
      await page.exposeFunction('__benchSignalOut', (json: string) => other.evaluate((j) => (window as unknown as BenchWindow).__benchRaw.signalIn(j), json));
      await openBenchPage(page, opts.appUrl, `raw blast (${page === s ? 'sender' : 'receiver'})`, script);
    }
    const base: Omit<RawBlastParams, 'role'> = {
      iceServers: opts.iceServers,
      iceTransportPolicy: opts.iceTransportPolicy,
      frameBytes: opts.frameBytes,
      frameCount: Math.ceil(opts.payloadBytes / opts.chunkBytes),
      highBytes: opts.highBytes,
      lowBytes: opts.lowBytes,
    };
    await r.evaluate((p) => (window as unknown as BenchWindow).__benchRaw.prepare(p), { ...base, role: 'receiver' as const });
    await s.evaluate((p) => (window as unknown as BenchWindow).__benchRaw.prepare(p), { ...base, role: 'sender' as const });

    const connect = (page: Page) => page.evaluate(() => (window as unknown as BenchWindow).__benchRaw.connect());
    const [{ connectMs }] = await bounded('raw DataChannel connect', RAW_CONNECT_TIMEOUT_MS, () => Promise.all([connect(s), connect(r)]));

    const blast = (page: Page) => page.evaluate(() => (window as unknown as BenchWindow).__benchRaw.blast());
    const [sent, got] = await bounded(`raw blast of ${base.frameCount} frames`, opts.timeoutMs, () => Promise.all([blast(s), blast(r)]));

    // Read while the connections are up: a closed one has no selected pair to report.
    const senderPairs = await selectedCandidatePairs(s);
    const receiverPairs = await selectedCandidatePairs(r);
    return { connectMs, transferMs: sent.transferMs, wireBytes: got.bytes, senderPairs, receiverPairs };
  } finally {
    for (const page of pages) {
      await page.evaluate(() => (window as unknown as BenchWindow).__benchRaw.close()).catch(() => undefined);
      await page.close().catch(() => undefined);
    }
  }
}
