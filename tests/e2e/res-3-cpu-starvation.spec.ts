import { test } from '../../harness/fixtures.js';
import { cpuThrottle } from '../../harness/faults/cpu-throttle.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 16 * 1024 * 1024;

test('RES-3: the receiver starved of CPU (4× throttled) → the transfer completes intact', async ({ peers, app, makeFile, workDir, chaos, requireNeeds }) => {
  requireNeeds(cpuThrottle.needs);
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, 1);
  await chaos.inject(cpuThrottle.create({ rate: 4 }, { page: s.receiver.page }));
  await app.waitForComplete(s.receiver.page, 150_000);
  await s.recorder.stop();
  await expectIntact(app, s, workDir);
});
