import { expect, test } from '../../harness/fixtures.js';
import { crashTab } from '../../harness/faults/crash-tab.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 20 * 1024 * 1024;

test('BRW-3: sender tab crashes; the user selects the same file again → only the missing chunks are sent', async ({ peers, app, makeFile, workDir, chaos, requireNeeds }) => {
  requireNeeds(crashTab.needs);
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);

  await chaos.inject(crashTab.create({}, { page: s.sender.page }));
  const before = (await app.progress(s.receiver.page)).verifiedBytes;
  const tab = await s.sender.newPage();
  const link = await app.startSend(tab, s.source.path);
  expect(link, 'the same file resumes the same transfer, in the same room').toBe(s.link);

  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  const sent = (await app.progress(tab)).resentBytes;
  const sentByNewTab = Number(await tab.locator('#app').getAttribute('data-sent-bytes'));
  // The new tab sent what the receiver lacked (plus at most the in-flight window), not the file.
  expect(sentByNewTab, 'bytes the reopened sender put on the wire').toBeLessThanOrEqual(FILE_BYTES - before + MAX_RESENT_BYTES);
  expect(sent ?? 0).toBeLessThanOrEqual(MAX_RESENT_BYTES);
  await expectIntact(app, s, workDir);
});
