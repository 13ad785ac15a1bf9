import { expect, test } from '../../harness/fixtures.js';
import { killSignaling } from '../../harness/faults/kill-signaling.js';
import { killTurn } from '../../harness/faults/kill-turn.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { expectIntact, faultWindow, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { attachRecovery, recoveryFigures } from '../../harness/verdict/recovery.js';
import { MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 48 * 1024 * 1024;
const SIGNALING_DOWN_MS = 4_000;
/** ~1.4 MiB/s: the transfer must outlast the outage, the rejoin (backoff) and the later cut, however fast the machine. */
const PATH_RATE_KBPS = 12_000;

// Relay-only through the fault proxy, so the later path failure can be made for real by killing
// coturn, and a rate cap keeps the transfer running long enough for both faults.
test.use({ iceTransportPolicy: 'relay', turnRoute: 'proxy' });

test('SIG-1: signaling SIGKILLed mid-transfer → transfer goes on over the open channel; peers rejoin; a later path failure still recovers', async ({ peers, app, makeFile, workDir, chaos, signaling, turn, turnProxy, requireNeeds }) => {
  requireNeeds(killTurn.needs);
  await chaos.inject(turnProxyToxics.create({ rateKbps: PATH_RATE_KBPS }, { proxy: turnProxy }));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 10);

  const down = await chaos.inject(killSignaling.create({ signal: 'SIGKILL' }, { signaling }));
  const whileDownFrom = (await app.progress(s.receiver.page)).verifiedBytes;
  await expect.poll(async () => (await app.progress(s.receiver.page)).signalingState, { message: 'the receiver shows signaling offline' }).toBe('offline');
  await s.receiver.page.waitForTimeout(SIGNALING_DOWN_MS);
  const whileDownTo = (await app.progress(s.receiver.page)).verifiedBytes;
  expect(whileDownTo, 'bytes kept flowing over the DataChannel while signaling was down').toBeGreaterThan(whileDownFrom);
  await chaos.heal(down);

  for (const peer of [s.sender, s.receiver]) {
    await expect.poll(async () => (await app.progress(peer.page)).signalingState, { timeout: 15_000, message: `${peer.name} rejoined the room` }).toBe('joined');
  }

  // With signaling back, a path failure must still be recoverable (it needs signaling to rebuild).
  expect((await app.progress(s.receiver.page)).phase, 'still transferring when coturn is killed (else this part proves nothing)').not.toBe('complete');
  const { injectAt, healAt } = await faultWindow(chaos, s, killTurn.create({ downMs: 2_000 }, { turn }), 2_000);

  await app.waitForComplete(s.receiver.page, 120_000);
  await s.recorder.stop();
  const figures = recoveryFigures(s.recorder, injectAt, healAt);
  await attachRecovery(test.info(), figures);
  expect(figures.timeToRecoverMs, 'the later path failure recovered').toBeDefined();
  await expectIntact(app, s, workDir, { maxResentBytes: MAX_RESENT_BYTES });
});
