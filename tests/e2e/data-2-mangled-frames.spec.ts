import { expect, test } from '../../harness/fixtures.js';
import { createMangleFrames } from '../../harness/faults/mangle-frames.js';
import { expectIntact, startTransfer } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 16 * 1024 * 1024;

test.use({ chunkSizeBytes: 32 * 1024 });

test('DATA-2: chunk frames truncated, duplicated and reordered → detected or handled; file correct; nothing stored twice', async ({ peers, app, makeFile, workDir, chaos }) => {
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  const fault = createMangleFrames({ truncatePercent: 5, duplicatePercent: 5, reorderPercent: 5 }, { context: s.sender.context });
  await chaos.inject(fault);
  await app.waitForComplete(s.receiver.page, 150_000);
  const counts = await fault.counts();
  await chaos.heal(fault);
  await s.recorder.stop();

  const receiver = await app.progress(s.receiver.page);
  test.info().annotations.push({ type: 'mangled', description: `${counts.truncated} truncated, ${counts.duplicated} duplicated, ${counts.reordered} reordered; receiver rejected ${receiver.chunksRejected}, stored ${receiver.chunksAccepted}` });
  for (const [what, n] of Object.entries(counts)) expect(n, `frames ${what}`).toBeGreaterThan(5);
  expect(receiver.chunksRejected, 'every truncated frame was rejected').toBeGreaterThanOrEqual(counts.truncated);
  expect(receiver.chunksAccepted, 'each chunk stored exactly once').toBe(FILE_BYTES / (32 * 1024));
  await expectIntact(app, s, workDir);
});
