import path from 'node:path';
import { expect, test } from '../../harness/fixtures.js';
import { selectedCandidatePairs } from '../../harness/probes/rtc-capture.js';
import { expectSameAsSource } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 64 * 1024 * 1024;

test('a 64 MiB file crosses a direct path intact (BLAKE3 checked outside the browser)', async ({ peers, app, makeFile, workDir }) => {
  const source = await makeFile(FILE_BYTES);
  const sender = await peers.launch('sender');
  const receiver = await peers.launch('receiver');

  const link = await app.startSend(sender.page, source.path);
  const started = Date.now();
  await app.openReceiver(receiver.page, link);
  await app.waitForComplete(receiver.page, 120_000);
  const seconds = (Date.now() - started) / 1000;

  const pairs = await selectedCandidatePairs(receiver.page);
  expect(pairs.length, 'the receiver has a selected candidate pair').toBeGreaterThan(0);
  expect(pairs.every((p) => p.localType !== 'relay' && p.remoteType !== 'relay'), `direct path expected, got ${JSON.stringify(pairs)}`).toBe(true);

  const received = path.join(workDir, 'received.bin');
  await app.saveReceivedFile(receiver.page, received);
  await expectSameAsSource(received, source);

  const progress = await app.progress(receiver.page);
  expect(progress.verifiedBytes).toBe(FILE_BYTES);
  test.info().annotations.push({ type: 'throughput', description: `${(FILE_BYTES / 1048576 / seconds).toFixed(1)} MiB/s over ${pairs[0]!.localType}→${pairs[0]!.remoteType}` });
});
