import { expect, test } from '../../harness/fixtures.js';
import { tabCrashFor, tabCrashNeeds } from '../../harness/faults/tab-crash-for.js';
import { killBrowser } from '../../harness/faults/kill-browser.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { SEND_WINDOW_CHUNKS } from '../../app-under-test/config.js';
import { figureAttribute } from '../../harness/verdict/figure-attribute.js';
import { CHUNK_BYTES } from './bounds.js';

const FILE_BYTES = 20 * 1024 * 1024;

test('BRW-4: both peers crash (sender tab, then receiver browser) → both recover, the transfer completes', async ({ peers, app, makeFile, workDir, chaos, requireNeeds, senderEngine }) => {
  requireNeeds(tabCrashNeeds([senderEngine]));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);
  const before = (await app.progress(s.receiver.page)).verifiedBytes;

  await chaos.inject(tabCrashFor(s.sender));
  await chaos.inject(killBrowser.create({}, { peer: s.receiver }));

  await s.receiver.start();
  await app.openReceiver(s.receiver.page, s.link);
  const tab = await s.sender.newPage();
  expect(await app.startSend(tab, s.source.path), 'the sender resumed the same transfer').toBe(s.link);

  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  expect((await app.progress(s.receiver.page)).resumedFromBytes, 'the receiver resumed from its checkpoint').toBeGreaterThanOrEqual(before);
  // From the sender's side too: the reopened tab sent what the relaunched receiver lacked, not the file.
  const sentByNewTab = await figureAttribute(tab, '#app', 'data-sent-bytes');
  const duplicates = await figureAttribute(s.receiver.page, '#app', 'data-chunks-duplicate');
  expect(sentByNewTab, 'the reopened sender sent only what the receiver lacked, plus at most one send window').toBeLessThanOrEqual(FILE_BYTES - before + SEND_WINDOW_CHUNKS * CHUNK_BYTES);
  expect(duplicates, 'the receiver was offered at most one send window of chunks it already held').toBeLessThanOrEqual(SEND_WINDOW_CHUNKS);
  await expectIntact(app, s, workDir);
});
