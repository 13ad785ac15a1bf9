import { expect, test } from '../../harness/fixtures.js';
import { crashTab } from '../../harness/faults/crash-tab.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 20 * 1024 * 1024;

test('BRW-1: receiver tab crashes at 50% → a reopened tab recovers the transfer from IndexedDB and resumes', async ({ peers, app, makeFile, workDir, chaos, requireNeeds }) => {
  requireNeeds(crashTab.needs);
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);
  const beforeCrash = (await app.progress(s.receiver.page)).verifiedBytes;

  await chaos.inject(crashTab.create({}, { page: s.receiver.page }));
  const tab = await s.receiver.newPage();
  await app.openReceiver(tab, s.link);
  await app.waitForComplete(tab, 120_000);
  await s.recorder.stop();

  const after = await app.progress(tab);
  expect(after.resumedFromBytes, 'the new tab started from the checkpoint').toBeGreaterThanOrEqual(beforeCrash);
  await expectIntact(app, { ...s, receiver: s.receiver }, workDir, { maxResentBytes: MAX_RESENT_BYTES });
});
