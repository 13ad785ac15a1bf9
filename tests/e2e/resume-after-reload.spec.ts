import path from 'node:path';
import { expect, test } from '../../harness/fixtures.js';
import { expectSameAsSource } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 64 * 1024 * 1024;

test('a receiver reloaded at ~50% resumes from its IndexedDB checkpoint, not from zero', async ({ peers, app, makeFile, workDir }) => {
  const source = await makeFile(FILE_BYTES);
  const sender = await peers.launch('sender');
  const receiver = await peers.launch('receiver');

  const link = await app.startSend(sender.page, source.path);
  await app.openReceiver(receiver.page, link);
  await expect.poll(async () => (await app.progress(receiver.page)).verifiedBytes, { timeout: 120_000, intervals: [100] }).toBeGreaterThanOrEqual(FILE_BYTES / 2);
  const beforeReload = (await app.progress(receiver.page)).verifiedBytes;

  await receiver.page.reload();
  await app.waitForComplete(receiver.page, 150_000);

  const receiverAfter = await app.progress(receiver.page);
  // The reopened page found the checkpoint: it started from what was durable, not from zero.
  expect(receiverAfter.resumedFromBytes, 'bytes held from the checkpoint after the reload').toBeGreaterThanOrEqual(beforeReload);
  const senderAfter = await app.progress(sender.page);
  // Only what was in flight (at most the send window) may be sent again.
  expect(senderAfter.resentBytes ?? Number.NaN, 'bytes sent again after the reload').toBeLessThan(FILE_BYTES / 4);

  const received = path.join(workDir, 'received.bin');
  await app.saveReceivedFile(receiver.page, received);
  await expectSameAsSource(received, source);
  test.info().annotations.push({ type: 'resume', description: `reloaded at ${(beforeReload / 1048576).toFixed(1)} MiB; resumed from ${((receiverAfter.resumedFromBytes ?? 0) / 1048576).toFixed(1)} MiB; re-sent ${((senderAfter.resentBytes ?? 0) / 1048576).toFixed(2)} MiB` });
});
