import { expect, test } from '../../harness/fixtures.js';
import { tabCrashFor, tabCrashNeeds } from '../../harness/faults/tab-crash-for.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { SEND_WINDOW_CHUNKS } from '../../app-under-test/config.js';
import { figureAttribute } from '../../harness/verdict/figure-attribute.js';
import { CHUNK_BYTES, MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 20 * 1024 * 1024;

test('BRW-3: sender tab crashes; the user selects the same file again → only the missing chunks are sent', async ({ peers, app, makeFile, workDir, chaos, requireNeeds, senderEngine }) => {
  requireNeeds(tabCrashNeeds([senderEngine]));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);

  await chaos.inject(tabCrashFor(s.sender));
  const before = (await app.progress(s.receiver.page)).verifiedBytes;
  const tab = await s.sender.newPage();
  const link = await app.startSend(tab, s.source.path);
  expect(link, 'the same file resumes the same transfer, in the same room').toBe(s.link);

  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  const sent = (await app.progress(tab)).resentBytes;
  const sentByNewTab = await figureAttribute(tab, '#app', 'data-sent-bytes');
  const duplicates = await figureAttribute(s.receiver.page, '#app', 'data-chunks-duplicate');
  // The new tab sent what the receiver lacked (plus at most the in-flight window), not the file.
  // Its own resend counter starts at 0 with the tab, so it cannot see a restart from chunk 0: the
  // bytes it put on the wire, and the chunks the receiver already held, can.
  expect(sentByNewTab, 'the reopened sender sent only what the receiver lacked, plus at most one send window').toBeLessThanOrEqual(FILE_BYTES - before + SEND_WINDOW_CHUNKS * CHUNK_BYTES);
  expect(duplicates, 'the receiver was offered at most one send window of chunks it already held').toBeLessThanOrEqual(SEND_WINDOW_CHUNKS);
  expect(sent ?? 0).toBeLessThanOrEqual(MAX_RESENT_BYTES);
  await expectIntact(app, s, workDir);
});
