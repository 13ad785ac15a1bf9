import { test } from '../../harness/fixtures.js';
import { mangleSignaling } from '../../harness/faults/mangle-signaling.js';
import { expectIntact } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 4 * 1024 * 1024;
const MANGLE = { dropPercent: 15, duplicatePercent: 30, delayMs: 50, jitterMs: 400 };

test('SIG-3: signaling frames dropped, delayed, duplicated and reordered → the peers still connect', async ({ peers, app, makeFile, workDir, chaos, signaling }) => {
  const source = await makeFile(FILE_BYTES);
  const sender = await peers.launch('sender');
  const receiver = await peers.launch('receiver');
  // Both browsers' signaling goes through the mangler from their first frame on.
  await chaos.inject(mangleSignaling.create(MANGLE, { context: sender.context, signalingUrl: signaling.url }));
  await chaos.inject(mangleSignaling.create(MANGLE, { context: receiver.context, signalingUrl: signaling.url }));
  const link = await app.startSend(sender.page, source.path);
  await app.openReceiver(receiver.page, link);
  await app.waitForComplete(receiver.page, 120_000);
  await expectIntact(app, { sender, receiver, source }, workDir);
});
