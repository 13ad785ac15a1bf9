import { expect, test } from '../../harness/fixtures.js';
import { selectedCandidatePairs } from '../../harness/probes/rtc-capture.js';
import { expectIntact, startTransfer } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 16 * 1024 * 1024;

// The first TURN server in the list blackholes everything (it never answers), the second is coturn.
test.use({ iceTransportPolicy: 'relay', turnRoute: 'dead-first' });

test('TURN-3: first TURN server unreachable, a second configured → the second is used', async ({ peers, app, makeFile, workDir, turn, deadTurn }) => {
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await app.waitForComplete(s.receiver.page, 150_000);
  await s.recorder.stop();
  for (const peer of [s.sender, s.receiver]) {
    const pairs = await selectedCandidatePairs(peer.page);
    expect(pairs.length).toBeGreaterThan(0);
    for (const p of pairs) {
      expect(p.localType).toBe('relay');
      expect(p.url, `${peer.name} allocated on the second server`).toContain(`:${turn.port}`);
      expect(p.url).not.toContain(`:${deadTurn.port}`);
    }
  }
  expect(deadTurn.stats().udpPacketsDropped + deadTurn.stats().tcpConnectionsTotal, 'the first server was really tried').toBeGreaterThan(0);
  await expectIntact(app, s, workDir);
});
