import fs from 'node:fs';
import path from 'node:path';
import type { BundledApp } from '../tests/support/bundled-app/bundled-app-adapter.js';
import type { Peer } from '../harness/browser/peer.js';
import { HarnessError } from '../harness/errors.js';
import { selectedCandidatePairs, type SelectedPair } from '../harness/probes/rtc-capture.js';
import { blake3File } from '../harness/verdict/blake3-file.js';
import type { TestFile } from '../harness/verdict/random-file.js';
import { bounded } from './bounded.js';
import { assertPath, type BenchPath } from './path-check.js';
import { sampleTreeRss, type RssPeaks } from '../harness/probes/rss-sampler.js';

/** The sender hashes the whole file before it shows the link (BLAKE3 in its worker, ~100+ MiB/s). */
const START_SEND_TIMEOUT_MS = 180_000;
/** Saving the received file is a local copy out of the browser's download dir. */
const DOWNLOAD_TIMEOUT_MS = 300_000;

export interface AppRunOptions {
  sender: Peer;
  receiver: Peer;
  app: BundledApp;
  source: TestFile;
  path: BenchPath;
  /** Download the received file and compare its BLAKE3 with the source's. */
  verifyHash: boolean;
  /** Where the downloaded copy goes (removed right after it is hashed). */
  scratchDir: string;
  timeoutMs: number;
  rssIntervalMs: number;
}

export interface AppRunResult {
  /** Receiver opens the link → the receiver's phase is 'complete'. */
  transferMs: number;
  senderPairs: SelectedPair[];
  receiverPairs: SelectedPair[];
  /** True when checked and equal; undefined when not checked (a mismatch throws). */
  hashVerified: boolean | undefined;
  rss: { sender?: RssPeaks; receiver?: RssPeaks };
}

function pidsOf(peers: Record<string, Peer>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, peer] of Object.entries(peers)) {
    if (peer.pid === undefined) console.warn(`bench: no browser PID for ${peer.name}; its memory is not sampled`);
    else out[name] = peer.pid;
  }
  return out;
}

/** One transfer through the app, as a user does it, with both browsers' memory sampled throughout. */
export async function runAppTransfer(opts: AppRunOptions): Promise<AppRunResult> {
  const { sender, receiver, app } = opts;
  const link = await bounded('the sender page to hash the file and show its link', START_SEND_TIMEOUT_MS, () => app.startSend(sender.page, opts.source.path));

  const sampler = sampleTreeRss(pidsOf({ sender, receiver }), opts.rssIntervalMs);
  let transferMs: number;
  let rss: AppRunResult['rss'];
  try {
    const started = performance.now();
    await bounded(`the app transfer (${opts.path})`, opts.timeoutMs, async () => {
      await app.openReceiver(receiver.page, link);
      await app.waitForComplete(receiver.page, opts.timeoutMs);
    });
    transferMs = performance.now() - started;
  } finally {
    rss = sampler.stop();
  }

  const senderPairs = await selectedCandidatePairs(sender.page);
  const receiverPairs = await selectedCandidatePairs(receiver.page);
  assertPath(opts.path, `the app's sender (${opts.path})`, senderPairs);
  assertPath(opts.path, `the app's receiver (${opts.path})`, receiverPairs);

  let hashVerified: boolean | undefined;
  if (opts.verifyHash) {
    const copy = path.join(opts.scratchDir, `received-${opts.path}.bin`);
    try {
      await bounded('saving the received file', DOWNLOAD_TIMEOUT_MS, () => app.saveReceivedFile(receiver.page, copy));
      const actual = await blake3File(copy);
      if (actual !== opts.source.blake3) {
        throw new HarnessError('ERR_INTEGRITY', `the received file's BLAKE3 differs from the source's (${opts.path} path)`, {
          context: { expected: opts.source.blake3, actual, sizeBytes: fs.statSync(copy).size },
          hint: 'The app delivered a corrupt file: this is an app bug, not a benchmark artefact. Reproduce with the e2e transfer tests.',
        });
      }
      hashVerified = true;
    } finally {
      fs.rmSync(copy, { force: true });
    }
  }
  return { transferMs, senderPairs, receiverPairs, hashVerified, rss };
}
