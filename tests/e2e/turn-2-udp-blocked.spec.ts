import { expect, test } from '../../harness/fixtures.js';
import { turnProxyBlockUdp } from '../../harness/faults/turn-proxy-block-udp.js';
import { selectedCandidatePairs } from '../../harness/probes/rtc-capture.js';
import { expectIntact, startTransfer } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 16 * 1024 * 1024;

test.use({ iceTransportPolicy: 'relay', turnRoute: 'proxy' });

test('TURN-2: TURN over UDP blocked → the peers fall back to TURN over TCP and complete', async ({ peers, app, makeFile, workDir, chaos, turnProxy }) => {
  await chaos.inject(turnProxyBlockUdp.create({}, { proxy: turnProxy }));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await app.waitForComplete(s.receiver.page, 150_000);
  await s.recorder.stop();
  for (const peer of [s.sender, s.receiver]) {
    const pairs = await selectedCandidatePairs(peer.page);
    expect(pairs.length, `${peer.name} has a selected pair`).toBeGreaterThan(0);
    for (const p of pairs) expect({ type: p.localType, relayProtocol: p.relayProtocol }, `${peer.name} relays over TCP`).toEqual({ type: 'relay', relayProtocol: 'tcp' });
  }
  const stats = turnProxy.stats();
  expect(stats.udpPacketsDropped, 'UDP towards TURN was really attempted, and dropped').toBeGreaterThan(0);
  expect(stats.tcpBytes, 'the relay carried the file over TCP').toBeGreaterThan(FILE_BYTES);
  await expectIntact(app, s, workDir);
});
