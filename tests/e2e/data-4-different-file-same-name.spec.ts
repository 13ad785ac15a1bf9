import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '../../harness/fixtures.js';
import { tabCrashFor, tabCrashNeeds } from '../../harness/faults/tab-crash-for.js';
import { startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { makeRandomFile } from '../../harness/verdict/random-file.js';

const FILE_BYTES = 16 * 1024 * 1024;
/**
 * The receiver keeps committing batches it received before the sender tab died (seen: +12
 * chunks, 1.5 MiB, after the crash), so its count is read only once it stopped moving for this long.
 */
const SETTLED_MS = 2_000;
const SETTLE_TIMEOUT_MS = 30_000;

/** The receiver's verified bytes once they stopped changing for SETTLED_MS (the old sender's frames all landed). */
async function settledVerifiedBytes(read: () => Promise<number>): Promise<number> {
  let last = await read();
  let since = Date.now();
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() - since < SETTLED_MS) {
    if (Date.now() > deadline) throw new Error(`DATA-4: the receiver's verified bytes kept changing for ${SETTLE_TIMEOUT_MS} ms after the sender tab crashed (last ${last}); hint: a dead sender cannot feed it, look for another source of frames`);
    await new Promise((r) => setTimeout(r, 200));
    const now = await read();
    if (now !== last) [last, since] = [now, Date.now()];
  }
  return last;
}

test('DATA-4: the sender picks a different file under the same name to resume → refused with a clear message; a fresh transfer offered', async ({ peers, app, makeFile, workDir, chaos, requireNeeds, senderEngine }) => {
  requireNeeds(tabCrashNeeds([senderEngine]));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES, 'report.bin') });
  await waitForVerified(app, s.receiver, FILE_BYTES / 4);
  await chaos.inject(tabCrashFor(s.sender));
  // Why settle: the crash does not stop the receiver storing what had already arrived; reading at
  // once counted those old-file chunks as if the impostor had sent them (the DATA-4 flake).
  const receiverHeld = await settledVerifiedBytes(async () => (await app.progress(s.receiver.page)).verifiedBytes);
  const acceptedHeld = (await app.progress(s.receiver.page)).chunksAccepted;

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
  const after = await app.progress(s.receiver.page);
  expect(after.verifiedBytes, 'no byte stored after the impostor tab opened').toBe(receiverHeld);
  expect(after.chunksAccepted, 'no chunk accepted after the impostor tab opened').toBe(acceptedHeld);
  await s.recorder.stop();
});
