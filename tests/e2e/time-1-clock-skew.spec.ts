import { expect, test } from '../../harness/fixtures.js';
import { clockSkew } from '../../harness/faults/clock-skew.js';
import { expectIntact, waitForVerified } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 16 * 1024 * 1024;
const FIVE_MIN_MS = 5 * 60 * 1000;

for (const [senderSkew, receiverSkew] of [[+FIVE_MIN_MS, -FIVE_MIN_MS], [-FIVE_MIN_MS, +FIVE_MIN_MS]] as const) {
  test(`TIME-1: sender clock ${senderSkew > 0 ? '+' : '-'}5 min, receiver ${receiverSkew > 0 ? '+' : '-'}5 min → credentials, checkpoints and timeouts still work`, async ({ peers, app, makeFile, workDir, chaos }) => {
    const source = await makeFile(FILE_BYTES);
    const sender = await peers.launch('sender');
    const receiver = await peers.launch('receiver');
    await chaos.inject(clockSkew.create({ skewMs: senderSkew }, { context: sender.context }));
    await chaos.inject(clockSkew.create({ skewMs: receiverSkew }, { context: receiver.context }));
    const link = await app.startSend(sender.page, source.path);
    await app.openReceiver(receiver.page, link);
    // The skew is real: the pages' clocks are 10 minutes apart.
    const [a, b] = await Promise.all([sender.page.evaluate(() => Date.now()), receiver.page.evaluate(() => Date.now())]);
    expect(Math.abs(a - b)).toBeGreaterThan(FIVE_MIN_MS * 2 - 30_000);
    // Mid-way, the receiver reloads and must trust a checkpoint written under its skewed clock.
    // A peer refused over the skewed clock shows it at once; without this the test would only time out.
    const halfOrRefused = async (): Promise<string> => {
      const [tx, rx] = await Promise.all([app.progress(sender.page), app.progress(receiver.page)]);
      const refused = [tx.errorCode, rx.errorCode].find((c) => c === 'ERR_RESUME_UNAUTHORIZED');
      return refused ? `refused: ${refused}` : rx.verifiedBytes >= FILE_BYTES / 2 ? 'half verified' : 'waiting';
    };
    await expect.poll(halfOrRefused, { timeout: 120_000, intervals: [200], message: 'half the file verified, and no peer refused the other over the clock' }).toBe('half verified');
    await waitForVerified(app, receiver, FILE_BYTES / 2);
    await receiver.page.reload();
    await app.waitForComplete(receiver.page, 120_000);
    expect((await app.progress(receiver.page)).resumedFromBytes, 'resumed from the skewed-clock checkpoint').toBeGreaterThanOrEqual(FILE_BYTES / 2);
    await expectIntact(app, { sender, receiver, source }, workDir);
  });
}
