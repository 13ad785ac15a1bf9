import { expect, test, SIGNALING_CHAOS_KEY } from '../../harness/fixtures.js';
import { signalingChaos } from '../../harness/faults/signaling-chaos.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { expectIntact, faultWindow, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { recoveryFigures } from '../../harness/verdict/recovery.js';

const FILE_BYTES = 16 * 1024 * 1024;

// Relay-only through the fault proxy, so a mid-transfer cut forces a reconnect through chaotic signaling.
test.use({ iceTransportPolicy: 'relay', turnRoute: 'proxy' });

test('signaling chaos API: 5% of signals dropped and random disconnects → connects, survives a path cut, completes', async ({ peers, app, makeFile, workDir, chaos, signaling, turnProxy }) => {
  await chaos.inject(signalingChaos.create({ dropRate: 0.05, disconnectRate: 0.02, minLatencyMs: 10, maxLatencyMs: 150 }, { httpUrl: signaling.httpUrl, chaosKey: SIGNALING_CHAOS_KEY }));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);
  const { injectAt, healAt } = await faultWindow(chaos, s, turnProxyToxics.create({ blackhole: true }, { proxy: turnProxy }), 3_000);
  await app.waitForComplete(s.receiver.page, 150_000);
  await s.recorder.stop();
  expect(recoveryFigures(s.recorder, injectAt, healAt).timeToRecoverMs, 'recovered through chaotic signaling').toBeDefined();
  await expectIntact(app, s, workDir);
});
