import { expect, test } from '../../harness/fixtures.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { expectIntact, faultWindow, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { attachRecovery, recoveryFigures } from '../../harness/verdict/recovery.js';
import { MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 20 * 1024 * 1024;
const CUT_MS = 3_000;
const RECOVER_WITHIN_MS = 5_000;

// Mechanism: the userspace fault proxy in front of coturn (no root); relay-only so every byte
// crosses it. The network-namespace mechanism (harness/netns) is not wired into the fixtures yet.
test.use({ iceTransportPolicy: 'relay', turnRoute: 'proxy' });

test('NET-1: WebRTC path cut at 50% for 3 s, then restored → resumes within 5 s of restore, from checkpoint', async ({ peers, app, makeFile, workDir, chaos, turnProxy }) => {
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);

  const { injectAt, healAt } = await faultWindow(chaos, s, turnProxyToxics.create({ blackhole: true }, { proxy: turnProxy }), CUT_MS);

  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  const figures = recoveryFigures(s.recorder, injectAt, healAt);
  await attachRecovery(test.info(), figures, s.recorder);
  expect(figures.timeToRecoverMs, 'bytes flowed again after the restore').toBeDefined();
  expect(figures.timeToRecoverMs!, `resumed within ${RECOVER_WITHIN_MS} ms of the restore`).toBeLessThanOrEqual(RECOVER_WITHIN_MS);
  await expectIntact(app, s, workDir, { maxResentBytes: MAX_RESENT_BYTES });
});
