import type { TransferApp } from '../../harness/app-adapter.js';
import type { ChaosController } from '../../harness/faults/chaos-controller.js';
import type { Fault } from '../../harness/faults/fault.js';
import { expect, test } from '../../harness/fixtures.js';
import { netCutLink } from '../../harness/faults/net-cut-link.js';
import { netShapeLink } from '../../harness/faults/net-shape-link.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { test as netnsTest } from '../../harness/netns-fixtures.js';
import { selectedCandidatePairs } from '../../harness/probes/rtc-capture.js';
import { expectIntact, startTransfer, waitForVerified, type TransferSession } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 24 * 1024 * 1024;
const FLAPS = 4;
const DOWN_MS = 1_000;
const PERIOD_MS = 5_000;

/** FLAPS times: the path cut for DOWN_MS, then back for the rest of PERIOD_MS; the transfer must still be running at each. */
async function flap(app: TransferApp, chaos: ChaosController, s: TransferSession, cut: () => Fault): Promise<void> {
  for (let i = 0; i < FLAPS; i++) {
    expect((await app.progress(s.receiver.page)).phase, `still transferring at flap ${i + 1}`).not.toBe('complete');
    const fault = await chaos.inject(cut());
    await s.receiver.page.waitForTimeout(DOWN_MS);
    await chaos.heal(fault);
    await s.receiver.page.waitForTimeout(PERIOD_MS - DOWN_MS);
  }
}

// Two mechanisms, one test each: the userspace fault proxy (relay-only), and network namespaces
// (root; the sender's veth cut and restored on a direct path). See NET-1.
test.use({ iceTransportPolicy: 'relay', turnRoute: 'proxy' });

test('NET-4: flapping link, 1 s down in every 5 s, several times → completes; no chunk lost or stored twice', async ({ peers, app, makeFile, workDir, chaos, turnProxy }) => {
  // A rate cap keeps the transfer going through every flap (~1 MiB/s; the relay crosses the proxy twice).
  await chaos.inject(turnProxyToxics.create({ rateKbps: 8_000 }, { proxy: turnProxy }));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 8);
  await flap(app, chaos, s, () => turnProxyToxics.create({ blackhole: true }, { proxy: turnProxy }));
  await app.waitForComplete(s.receiver.page, 150_000);
  await s.recorder.stop();

  const receiver = await app.progress(s.receiver.page);
  const chunkCount = Math.ceil(FILE_BYTES / (128 * 1024));
  // Every chunk stored exactly once: duplicates that arrived were acknowledged, not written.
  expect(receiver.chunksAccepted, 'chunks written to storage').toBe(chunkCount);
  await expectIntact(app, s, workDir);
});

/** Direct-path file: smaller, as the namespace link is capped lower than the proxy (below). */
const NETNS_FILE_BYTES = 16 * 1024 * 1024;

netnsTest.describe('on network namespaces (root)', () => {
  netnsTest.use({ iceTransportPolicy: 'all', turnRoute: 'direct' });

  netnsTest('NET-4: direct path, sender\'s link flapping (nft drop 1 s in every 5 s, 4 times) → completes; no chunk lost or stored twice', async ({ peers, app, makeFile, workDir, chaos, netns }) => {
    // tbf on the sender's veth (~0.75 MiB/s) keeps the transfer going through every flap.
    await chaos.inject(netShapeLink.create({ peer: 'sender', rateKbps: 6_000 }, netns.faults));
    const s = await startTransfer({ peers, app, source: await makeFile(NETNS_FILE_BYTES) });
    await waitForVerified(app, s.receiver, NETNS_FILE_BYTES / 8);
    const pairs = await selectedCandidatePairs(s.receiver.page);
    expect(pairs.every((p) => p.localType !== 'relay' && p.remoteType !== 'relay'), `direct path before the flaps: ${JSON.stringify(pairs)}`).toBe(true);
    await flap(app, chaos, s, () => netCutLink.create({ peer: 'sender' }, netns.faults));
    await app.waitForComplete(s.receiver.page, 150_000);
    await s.recorder.stop();

    const receiver = await app.progress(s.receiver.page);
    console.info(`NET-4 netns: ${receiver.chunksAccepted} chunks stored, ${receiver.chunksRejected ?? 0} rejected, re-sent ${(await app.progress(s.sender.page)).resentBytes ?? 0} B`);
    expect(receiver.chunksAccepted, 'chunks written to storage').toBe(Math.ceil(NETNS_FILE_BYTES / (128 * 1024)));
    await expectIntact(app, s, workDir);
  });
});
