import { expect, test } from '../../harness/fixtures.js';
import { killTurn } from '../../harness/faults/kill-turn.js';
import { selectedCandidatePairs } from '../../harness/probes/rtc-capture.js';
import { expectIntact, faultWindow, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { attachRecovery, recoveryFigures } from '../../harness/verdict/recovery.js';
import { MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 20 * 1024 * 1024;
const DOWN_MS = 3_000;

test.use({ iceTransportPolicy: 'relay' });

test('TURN-1: coturn SIGKILLed mid-transfer on a relay-only path, restarted → new allocation, resume from checkpoint', async ({ peers, app, makeFile, workDir, chaos, turn, requireNeeds }) => {
  requireNeeds(killTurn.needs);
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);
  const before = await selectedCandidatePairs(s.receiver.page);

  const { injectAt, healAt } = await faultWindow(chaos, s, killTurn.create({ downMs: DOWN_MS }, { turn }), DOWN_MS);

  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  const after = await selectedCandidatePairs(s.receiver.page);
  expect(after.every((p) => p.localType === 'relay'), 'still relayed after recovery').toBe(true);
  expect(after.map((p) => p.localAddress), 'a new TURN allocation (the old one died with coturn)').not.toEqual(before.map((p) => p.localAddress));

  const figures = recoveryFigures(s.recorder, injectAt, healAt);
  await attachRecovery(test.info(), figures);
  expect(figures.timeToDetectMs, 'the app noticed the dead path').toBeDefined();
  expect(figures.timeToRecoverMs, 'bytes flowed again after coturn came back').toBeDefined();
  await expectIntact(app, s, workDir, { maxResentBytes: MAX_RESENT_BYTES });
});
