import { expect, test } from '../../harness/fixtures.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 24 * 1024 * 1024;
const FLAPS = 4;
const DOWN_MS = 1_000;
const PERIOD_MS = 5_000;

// Mechanism: the userspace fault proxy, relay-only (see NET-1).
test.use({ iceTransportPolicy: 'relay', turnRoute: 'proxy' });

test('NET-4: flapping link, 1 s down in every 5 s, several times → completes; no chunk lost or stored twice', async ({ peers, app, makeFile, workDir, chaos, turnProxy }) => {
  // A rate cap keeps the transfer going through every flap (~1 MiB/s; the relay crosses the proxy twice).
  await chaos.inject(turnProxyToxics.create({ rateKbps: 8_000 }, { proxy: turnProxy }));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 8);
  for (let i = 0; i < FLAPS; i++) {
    expect((await app.progress(s.receiver.page)).phase, `still transferring at flap ${i + 1}`).not.toBe('complete');
    const cut = await chaos.inject(turnProxyToxics.create({ blackhole: true }, { proxy: turnProxy }));
    await s.receiver.page.waitForTimeout(DOWN_MS);
    await chaos.heal(cut);
    await s.receiver.page.waitForTimeout(PERIOD_MS - DOWN_MS);
  }
  await app.waitForComplete(s.receiver.page, 150_000);
  await s.recorder.stop();

  const receiver = await app.progress(s.receiver.page);
  const chunkCount = Math.ceil(FILE_BYTES / (128 * 1024));
  // Every chunk stored exactly once: duplicates that arrived were acknowledged, not written.
  expect(receiver.chunksAccepted, 'chunks written to storage').toBe(chunkCount);
  await expectIntact(app, s, workDir);
});
