/**
 * ICE restart or new peer: which brings a cut path back faster, and at what cost? Each run cuts
 * a running transfer's path, heals it, and records detect / recover / re-sent with the app set to
 * one strategy (`?recovery=`). Strategies alternate within each run, so both see the same load.
 * The rows go to reports/bench-recovery/rows.jsonl; summarise.ts makes the table.
 */
import os from 'node:os';
import { expect, test } from '../../harness/fixtures.js';
import { netCutLink } from '../../harness/faults/net-cut-link.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { test as netnsTest } from '../../harness/netns-fixtures.js';
import type { TransferApp } from '../../harness/app-adapter.js';
import { expectIntact, faultWindow, startTransfer, waitForVerified, type TransferSession } from '../../harness/scenario/transfer-session.js';
import type { Fault } from '../../harness/faults/fault.js';
import { recoveryFigures } from '../../harness/verdict/recovery.js';
import { appendRow, type RecoveryRow } from './recovery-row.js';

const MIB = 1024 * 1024;
const FILE_BYTES = Number(process.env.RECOVERY_BENCH_FILE_MIB ?? 16) * MIB;
const RUNS = Number(process.env.RECOVERY_BENCH_RUNS ?? 2);
/** Cut lengths: NET-1's 3 s, and one long enough for a second ICE restart try (ICE_RESTART_TIMEOUT_MS 4 s). */
const CUTS_MS = (process.env.RECOVERY_BENCH_CUTS_MS ?? '3000,8000').split(',').map(Number);
const STRATEGIES = ['ice-restart', 'new-peer'] as const;
const MECHANISMS = (process.env.RECOVERY_BENCH_MECHANISMS ?? 'proxy,netns').split(',');

async function counters(s: TransferSession): Promise<{ iceRestarts: number; peerRebuilds: number }> {
  const d = await s.receiver.page.locator('#app').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  return { iceRestarts: Number(d.iceRestarts ?? 0), peerRebuilds: Number(d.peerRebuilds ?? 0) };
}

async function measure(
  row: Pick<RecoveryRow, 'mechanism' | 'strategy' | 'cutMs' | 'run'>,
  s: TransferSession,
  app: TransferApp,
  workDir: string,
  cut: () => Promise<{ injectAt: number; healAt: number }>,
): Promise<void> {
  await waitForVerified(app, s.receiver, FILE_BYTES / 4);
  const { injectAt, healAt } = await cut();
  await app.waitForComplete(s.receiver.page, 180_000);
  await s.recorder.stop();
  const f = recoveryFigures(s.recorder, injectAt, healAt);
  const c = await counters(s);
  const rx = s.recorder.samples.filter((x) => x.peer === 'receiver');
  const first = rx.find((x) => x.verifiedBytes > 0)?.t;
  const done = rx.find((x) => x.verifiedBytes >= FILE_BYTES)?.t;
  const transferMs = first !== undefined && done !== undefined ? done - first : undefined;
  const measured: RecoveryRow = { ...row, detectMs: f.timeToDetectMs, recoverMs: f.timeToRecoverMs, resentBytes: f.resentBytes, transferMs, ...c, loadAvg1m: Math.round(os.loadavg()[0]! * 100) / 100 };
  appendRow(measured);
  console.info(`${row.mechanism} ${row.strategy} cut ${row.cutMs} ms run ${row.run}: detect ${f.timeToDetectMs} ms, recover ${f.timeToRecoverMs} ms after heal, re-sent ${f.resentBytes} B, whole transfer ${transferMs} ms, ICE restarts ${c.iceRestarts}, new peers ${c.peerRebuilds}`);
  // A figure from a broken transfer would be meaningless: the file must still be whole.
  await expectIntact(app, s, workDir);
  expect(c.iceRestarts + c.peerRebuilds, 'the app recovered the path once at least (else the cut did not act)').toBeGreaterThan(0);
}

for (let run = 1; run <= RUNS; run++) {
  for (const cutMs of CUTS_MS) {
    for (const strategy of STRATEGIES) {
      const row = { strategy, cutMs, run };
      if (MECHANISMS.includes('proxy')) {
        test.describe(() => {
          test.use({ recovery: strategy, iceTransportPolicy: 'relay', turnRoute: 'proxy' });
          test(`proxy (relay) cut ${cutMs} ms, ${strategy}, run ${run}`, async ({ peers, app, makeFile, workDir, chaos, turnProxy }) => {
            const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
            const fault: Fault = turnProxyToxics.create({ blackhole: true }, { proxy: turnProxy });
            await measure({ ...row, mechanism: 'proxy' }, s, app, workDir, () => faultWindow(chaos, s, fault, cutMs));
          });
        });
      }
      if (MECHANISMS.includes('netns')) {
        netnsTest.describe(() => {
          netnsTest.use({ recovery: strategy, iceTransportPolicy: 'all', turnRoute: 'direct' });
          netnsTest(`netns (direct) cut ${cutMs} ms, ${strategy}, run ${run}`, async ({ peers, app, makeFile, workDir, chaos, netns }) => {
            const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
            await measure({ ...row, mechanism: 'netns' }, s, app, workDir, () => faultWindow(chaos, s, netCutLink.create({ peer: 'sender' }, netns.faults), cutMs));
          });
        });
      }
    }
  }
}
