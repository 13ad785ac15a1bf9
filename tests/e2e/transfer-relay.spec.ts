import path from 'node:path';
import { expect, test } from '../../harness/fixtures.js';
import { selectedCandidatePairs } from '../../harness/probes/rtc-capture.js';
import { expectSameAsSource } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 64 * 1024 * 1024;

test.use({ iceTransportPolicy: 'relay' });

test('a 64 MiB file crosses a relay-only path through coturn intact', async ({ peers, app, makeFile, workDir }) => {
  const source = await makeFile(FILE_BYTES);
  const sender = await peers.launch('sender');
  const receiver = await peers.launch('receiver');

  const link = await app.startSend(sender.page, source.path);
  const started = Date.now();
  await app.openReceiver(receiver.page, link);
  await app.waitForComplete(receiver.page, 150_000);
  const seconds = (Date.now() - started) / 1000;

  // Relay use is proven by the browsers' own stats, not assumed from the policy we asked for.
  for (const peer of [sender, receiver]) {
    const pairs = await selectedCandidatePairs(peer.page);
    expect(pairs.length, `${peer.name} has a selected candidate pair`).toBeGreaterThan(0);
    for (const p of pairs) expect(p.localType, `${peer.name} sends through its TURN allocation: ${JSON.stringify(p)}`).toBe('relay');
  }

  const received = path.join(workDir, 'received.bin');
  await app.saveReceivedFile(receiver.page, received);
  await expectSameAsSource(received, source);
  test.info().annotations.push({ type: 'throughput', description: `${(FILE_BYTES / 1048576 / seconds).toFixed(1)} MiB/s via coturn` });
});
