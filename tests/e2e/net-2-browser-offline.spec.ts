import { expect, test } from '../../harness/fixtures.js';
import { browserOffline } from '../../harness/faults/browser-offline.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 20 * 1024 * 1024;
const OFFLINE_MS = 4_000;

test('NET-2: receiver browser offline for HTTP and signaling → app shows offline, signaling reconnects with backoff, transfer completes', async ({ peers, app, makeFile, workDir, chaos }) => {
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 4);

  const offline = await chaos.inject(browserOffline.create({}, { context: s.receiver.context }));
  await expect.poll(async () => (await app.progress(s.receiver.page)).signalingState, { message: 'the receiver shows signaling offline' }).toBe('offline');
  await s.receiver.page.waitForTimeout(OFFLINE_MS);
  await chaos.heal(offline);
  await expect.poll(async () => (await app.progress(s.receiver.page)).signalingState, { timeout: 15_000, message: 'signaling reconnected' }).toBe('joined');

  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  await expectIntact(app, s, workDir);
});
