import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { TransferApp } from '../app-adapter.js';
import type { Peer } from '../browser/peer.js';
import type { ChaosController } from '../faults/chaos-controller.js';
import type { Fault } from '../faults/fault.js';
import type { PeerFactory } from '../fixtures.js';
import { HarnessError } from '../errors.js';
import { ProgressRecorder } from '../probes/progress-recorder.js';
import { compareWithSource, type SourceFacts } from '../verdict/compare-files.js';
import type { TestFile } from '../verdict/random-file.js';

export interface TransferSession {
  sender: Peer;
  receiver: Peer;
  source: TestFile;
  link: string;
  recorder: ProgressRecorder;
}

/** Two peers, a file, the sender started and the receiver on the link, progress being recorded. */
export async function startTransfer(opts: { peers: PeerFactory; app: TransferApp; source: TestFile }): Promise<TransferSession> {
  const sender = await opts.peers.launch('sender');
  const receiver = await opts.peers.launch('receiver');
  const link = await opts.app.startSend(sender.page, opts.source.path);
  await opts.app.openReceiver(receiver.page, link);
  const recorder = new ProgressRecorder(opts.app, {
    sender: () => (sender.running ? sender.page : undefined),
    receiver: () => (receiver.running ? receiver.page : undefined),
  });
  return { sender, receiver, source: opts.source, link, recorder };
}

/** Resolves once the receiver has verified at least `bytes`. */
export async function waitForVerified(app: TransferApp, peer: Peer, bytes: number, timeoutMs = 120_000): Promise<void> {
  await expect
    .poll(async () => (await app.progress(peer.page)).verifiedBytes, { timeout: timeoutMs, intervals: [100], message: `${peer.name} verified ≥ ${bytes} bytes` })
    .toBeGreaterThanOrEqual(bytes);
}

/**
 * The integrity contract of SCENARIOS.md: the file the receiver hands the user has the source's
 * size and BLAKE3 (computed in Node), and what was sent again stays within `maxResentBytes`. A
 * truncated or padded file fails as a size mismatch naming both sizes, not only as a hash mismatch.
 */
export async function expectIntact(app: TransferApp, s: Pick<TransferSession, 'sender' | 'receiver' | 'source'>, workDir: string, opts: { maxResentBytes?: number } = {}): Promise<void> {
  const received = path.join(workDir, 'received.bin');
  await app.saveReceivedFile(s.receiver.page, received);
  await expectSameAsSource(received, s.source);
  // Read by the resilience reporter: the integrity contract was checked, and held.
  test.info().annotations.push({ type: 'integrity', description: `BLAKE3 ${s.source.blake3.slice(0, 16)}… of ${s.source.sizeBytes} bytes matches the source (computed in Node)` });
  if (opts.maxResentBytes !== undefined) {
    const resent = (await app.progress(s.sender.page)).resentBytes;
    expect(resent, 'the sender reports the bytes it sent again').toBeDefined();
    expect(resent!, 'bytes sent again are bounded by the in-flight window, not a restart').toBeLessThanOrEqual(opts.maxResentBytes);
  }
}

/** The file on disk has the source's size, then its BLAKE3 (in Node); fails naming what differs. */
export async function expectSameAsSource(receivedPath: string, source: SourceFacts): Promise<void> {
  const verdict = await compareWithSource(receivedPath, source);
  expect(verdict.match, verdict.match ? '' : verdict.message).toBe(true);
}

/**
 * Injects `fault`, keeps it for `durationMs`, heals it, and returns when each happened on the
 * session's recorder clock (for recoveryFigures).
 */
export async function faultWindow(chaos: ChaosController, s: TransferSession, fault: Fault, durationMs: number): Promise<{ injectAt: number; healAt: number }> {
  const injectAt = s.recorder.now();
  await chaos.inject(fault);
  await expectTransferStillRunning(s, fault.name);
  await new Promise((r) => setTimeout(r, durationMs));
  await chaos.heal(fault);
  return { injectAt, healAt: s.recorder.now() };
}

/**
 * A fault window that opens after the receiver already has the whole file proves nothing (and
 * then fails later as "no recovery"): fail at once, saying so. Read after inject, so a transfer
 * still running here had the fault on while it ran.
 */
export async function expectTransferStillRunning(s: Pick<TransferSession, 'recorder' | 'source'>, faultName: string): Promise<void> {
  const now = await s.recorder.sampleNow('receiver');
  if (now !== undefined && now.verifiedBytes >= s.source.sizeBytes) {
    throw new HarnessError('ERR_FAULT_MISSED_TRANSFER', `${faultName} was injected after the transfer had finished (receiver verified ${now.verifiedBytes} of ${s.source.sizeBytes} bytes): the fault window missed it`, {
      context: { fault: faultName, verifiedBytes: now.verifiedBytes, sizeBytes: s.source.sizeBytes, atMs: now.t },
      hint: 'Make the transfer outlast the window: a bigger file or a rate cap on the path (net-shape-link / turn-proxy-toxics rateKbps), or inject earlier.',
    });
  }
}
