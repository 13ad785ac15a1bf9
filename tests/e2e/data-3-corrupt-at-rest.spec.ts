import { expect, test } from '../../harness/fixtures.js';
import { createCorruptAtRest } from '../../harness/faults/corrupt-at-rest.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 16 * 1024 * 1024;
const DAMAGED = 3;

test('DATA-3: stored chunks damaged at rest in IndexedDB before a resume → detected, fetched again, file correct', async ({ peers, app, makeFile, workDir, chaos }) => {
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);
  // The bundled app's storage layout (app-under-test/storage/checkpoint-store.ts).
  const fault = createCorruptAtRest({ records: DAMAGED, database: 'webrtc-transfer', store: 'chunks', field: 'data' }, { page: s.receiver.page });
  await chaos.inject(fault);
  expect(fault.damaged, 'stored chunks damaged').toBe(DAMAGED);

  await s.receiver.page.reload();
  // Caught at resume, before any new chunk could hide the damage (and said at once if not).
  await expect
    .poll(async () => (await app.progress(s.receiver.page)).chunksDroppedAtResume, { timeout: 30_000, message: 'the resume re-verified the stored chunks and dropped the damaged ones' })
    .toBe(DAMAGED);
  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  const after = await app.progress(s.receiver.page);
  expect(after.chunksDroppedAtResume, 'the damaged chunks were caught when the checkpoint was reloaded').toBe(DAMAGED);
  await expectIntact(app, s, workDir);
});
