import { expect, test } from '../../harness/fixtures.js';
import { createMangleSignaling } from '../../harness/faults/mangle-signaling.js';
import { expectIntact } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 4 * 1024 * 1024;
const MANGLE = { dropPercent: 15, duplicatePercent: 30, delayMs: 50, jitterMs: 400 };

test('SIG-3: signaling frames dropped, delayed, duplicated and reordered → the peers still connect', async ({ peers, app, makeFile, workDir, chaos, signaling }) => {
  const source = await makeFile(FILE_BYTES);
  const sender = await peers.launch('sender');
  const receiver = await peers.launch('receiver');
  // Both browsers' signaling goes through the mangler from their first frame on.
  const manglers = [sender, receiver].map((p) => createMangleSignaling(MANGLE, { context: p.context, signalingUrl: signaling.url }));
  for (const m of manglers) await chaos.inject(m);
  const link = await app.startSend(sender.page, source.path);
  await app.openReceiver(receiver.page, link);
  await app.waitForComplete(receiver.page, 120_000);
  await expectIntact(app, { sender, receiver, source }, workDir);
  // The fault acted: some signal frames were really lost or doubled on the way.
  const mangled = manglers.reduce((n, m) => n + m.counts.dropped + m.counts.duplicated, 0);
  test.info().annotations.push({ type: 'mangled', description: `${manglers.map((m) => `${m.counts.signalFrames} signal frames, ${m.counts.dropped} dropped, ${m.counts.duplicated} duplicated`).join('; ')}` });
  expect(mangled, 'signal frames dropped or duplicated (else the fault did not act)').toBeGreaterThan(0);
});
