import { expect, test } from '../../harness/fixtures.js';
import { killBrowser } from '../../harness/faults/kill-browser.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 20 * 1024 * 1024;

test('BRW-2: receiver browser SIGKILLed at 50% → relaunched on the same profile, resumes; no accepted chunk lost', async ({ peers, app, makeFile, workDir, chaos }) => {
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);
  const beforeKill = (await app.progress(s.receiver.page)).verifiedBytes;
  const pid = s.receiver.pid;
  expect(pid, 'the receiver browser PID is known').toBeDefined();

  await chaos.inject(killBrowser.create({}, { peer: s.receiver }));
  expect(() => process.kill(pid!, 0), 'the browser process is gone').toThrow();

  await s.receiver.start();
  await app.openReceiver(s.receiver.page, s.link);
  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();

  const after = await app.progress(s.receiver.page);
  // Every chunk acknowledged before the kill was durable: the relaunched browser holds it.
  expect(after.resumedFromBytes, 'resumed from at least what was verified before the kill').toBeGreaterThanOrEqual(beforeKill);
  // Checked from the sender's side too, not only from what the receiver says of itself: a resume
  // re-sends at most the in-flight window; a restart re-sends everything the receiver had.
  const resent = (await app.progress(s.sender.page)).resentBytes ?? 0;
  expect(resent, `a resume re-sends less than the ${beforeKill} bytes the receiver had verified; a restart re-sends all of them`).toBeLessThan(beforeKill);
  await expectIntact(app, s, workDir, { maxResentBytes: MAX_RESENT_BYTES });
});
