import { expect, test } from '../../harness/fixtures.js';

// Credentials that expired a minute ago: coturn answers 401 to every allocation.
test.use({ iceTransportPolicy: 'relay', turnCredentialTtlS: -60 });

test('TURN-4: expired TURN credentials → a clear error within seconds, not a silent hang', async ({ peers, app, makeFile }) => {
  const source = await makeFile(1024 * 1024);
  const sender = await peers.launch('sender');
  const receiver = await peers.launch('receiver');
  const link = await app.startSend(sender.page, source.path);
  await app.openReceiver(receiver.page, link);

  for (const peer of [sender, receiver]) {
    await expect.poll(async () => (await app.progress(peer.page)).errorCode, { timeout: 10_000, message: `${peer.name} shows a TURN error` }).toBe('ERR_TURN_AUTH');
    await expect(peer.page.getByTestId('error')).toContainText(/refused our credentials \(401/);
  }
  expect((await app.progress(receiver.page)).verifiedBytes, 'nothing was received over a path that cannot exist').toBe(0);
});
