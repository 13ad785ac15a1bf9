import { expect, test } from '../../harness/fixtures.js';
import { crashTab } from '../../harness/faults/crash-tab.js';
import { killBrowser } from '../../harness/faults/kill-browser.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 20 * 1024 * 1024;

test('BRW-4: both peers crash (sender tab, then receiver browser) → both recover, the transfer completes', async ({ peers, app, makeFile, workDir, chaos, requireNeeds }) => {
  requireNeeds(crashTab.needs);
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);
  const before = (await app.progress(s.receiver.page)).verifiedBytes;

  await chaos.inject(crashTab.create({}, { page: s.sender.page }));
  await chaos.inject(killBrowser.create({}, { peer: s.receiver }));

  await s.receiver.start();
  await app.openReceiver(s.receiver.page, s.link);
  const tab = await s.sender.newPage();
  expect(await app.startSend(tab, s.source.path), 'the sender resumed the same transfer').toBe(s.link);

  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  expect((await app.progress(s.receiver.page)).resumedFromBytes, 'the receiver resumed from its checkpoint').toBeGreaterThanOrEqual(before);
  await expectIntact(app, s, workDir);
});
