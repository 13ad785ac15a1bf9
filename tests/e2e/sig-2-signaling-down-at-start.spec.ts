import { expect, test } from '../../harness/fixtures.js';
import { killSignaling } from '../../harness/faults/kill-signaling.js';
import { expectIntact } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 8 * 1024 * 1024;

test('SIG-2: signaling down when the peers start → a clear status, retries, connects once it is up', async ({ peers, app, makeFile, workDir, chaos, signaling }) => {
  const source = await makeFile(FILE_BYTES);
  const down = await chaos.inject(killSignaling.create({ signal: 'SIGKILL' }, { signaling }));
  const sender = await peers.launch('sender');
  const receiver = await peers.launch('receiver');
  const link = await app.startSend(sender.page, source.path);
  await app.openReceiver(receiver.page, link);

  for (const peer of [sender, receiver]) {
    await expect.poll(async () => (await app.progress(peer.page)).signalingState, { message: `${peer.name} shows signaling offline` }).toBe('offline');
  }
  // The user is told what is going on, in words: offline, and when the next try is.
  await expect(receiver.page.getByTestId('signaling-state')).toContainText(/offline .*retrying in/);
  // Retries happen (with backoff) while it is down.
  await expect(receiver.page.getByTestId('signaling-state')).toContainText(/reconnecting \(attempt [3-9]|retrying in/, { timeout: 10_000 });

  await chaos.heal(down);
  await app.waitForComplete(receiver.page, 90_000);
  await expectIntact(app, { sender, receiver, source }, workDir);
});
