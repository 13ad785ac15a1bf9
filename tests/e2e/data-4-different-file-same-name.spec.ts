import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '../../harness/fixtures.js';
import { tabCrashFor, tabCrashNeeds } from '../../harness/faults/tab-crash-for.js';
import { startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { makeRandomFile } from '../../harness/verdict/random-file.js';

const FILE_BYTES = 16 * 1024 * 1024;

test('DATA-4: the sender picks a different file under the same name to resume → refused with a clear message; a fresh transfer offered', async ({ peers, app, makeFile, workDir, chaos, requireNeeds, senderEngine }) => {
  requireNeeds(tabCrashNeeds([senderEngine]));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES, 'report.bin') });
  await waitForVerified(app, s.receiver, FILE_BYTES / 4);
  await chaos.inject(tabCrashFor(s.sender));
  const receiverHeld = (await app.progress(s.receiver.page)).verifiedBytes;

  // Same name, same size, other bytes.
  fs.mkdirSync(path.join(workDir, 'other'));
  const impostor = await makeRandomFile(path.join(workDir, 'other'), FILE_BYTES, 'report.bin');
  expect(impostor.blake3).not.toBe(s.source.blake3);
  const tab = await s.sender.newPage();
  const link = await app.startSend(tab, impostor.path);

  await expect(tab.getByTestId('error')).toContainText(/resume refused: .*contents differ/);
  expect((await app.progress(tab)).errorCode).toBe('ERR_FILE_MISMATCH');
  expect(link, 'a fresh transfer in a new room, not the old one').not.toBe(s.link);
  // The old receiver never got a byte of the other file.
  await tab.waitForTimeout(3_000);
  expect((await app.progress(s.receiver.page)).verifiedBytes).toBe(receiverHeld);
  await s.recorder.stop();
});
