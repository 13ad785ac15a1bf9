import { expect, test } from '../../harness/fixtures.js';
import { createCorruptWire } from '../../harness/faults/corrupt-wire.js';
import { expectIntact, startTransfer } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 16 * 1024 * 1024;
const CORRUPT_PERCENT = 25;

// Small chunks: many frames, so one run throws hundreds of damaged frames at the receiver.
test.use({ chunkSizeBytes: 16 * 1024 });

test('DATA-1: hundreds of frames damaged on the wire → every one rejected by BLAKE3 and fetched again; zero accepted', async ({ peers, app, makeFile, workDir, chaos }) => {
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  const fault = createCorruptWire({ ratePercent: CORRUPT_PERCENT, bytesFlipped: 1, headerSharePercent: 30 }, { context: s.sender.context });
  await chaos.inject(fault);
  await app.waitForComplete(s.receiver.page, 150_000);
  // Frames resent after a nack naming a damaged index may still be on the wire at completion:
  // stop damaging, and let the sender finish, before counting.
  await chaos.heal(fault);
  await expect.poll(async () => (await app.progress(s.sender.page)).phase, { message: 'the sender saw the receiver’s done' }).toBe('done');
  const counts = await fault.counts();
  await s.recorder.stop();
  // Every damaged frame is refused: none accepted, none unnoticed (eventually, once all arrived).
  await expect
    .poll(async () => (await app.progress(s.receiver.page)).chunksRejected, { timeout: 10_000, message: 'frames rejected by the receiver = frames damaged on the wire' })
    .toBe(counts.corrupted);
  const receiver = await app.progress(s.receiver.page);
  test.info().annotations.push({ type: 'corruption', description: `${counts.corrupted} of ${counts.seen} frames damaged (${counts.headerHits} in the header); receiver rejected ${receiver.chunksRejected}` });
  expect(counts.corrupted, 'hundreds of damaged frames were sent').toBeGreaterThanOrEqual(200);
  expect(counts.headerHits, 'header bytes (magic, index, length, hash) were damaged too').toBeGreaterThanOrEqual(20);
  await expectIntact(app, s, workDir);
});
