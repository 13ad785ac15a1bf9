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
      if (peer.engine === 'chromium' || p.url !== undefined) {
        expect(p.url, `${peer.name} allocated on the second server`).toContain(`:${turn.port}`);
        expect(p.url).not.toContain(`:${deadTurn.port}`);
      } else {
        // Firefox's getStats has no RTCIceCandidateStats.url. The allocation is coturn's all the
        // same: its relay address is on coturn's relay IP, and the first server let nothing
        // through (below), so it never answered an Allocate.
        expect(p.localAddress, `${peer.name}'s relay address is on coturn's relay IP`).toMatch(new RegExp(`^${turn.host.replace(/\./g, '\\.')}:\\d+$`));
        test.info().annotations.push({ type: 'turn-3', description: `${peer.name} (${peer.engine}) reports no candidate url; relayed at ${p.localAddress}` });
      }
    }
  }
  const dead = deadTurn.stats();
  expect(dead.udpPacketsOut + dead.tcpBytes, 'the unreachable server let nothing through, so no allocation came from it').toBe(0);
  expect(deadTurn.stats().udpPacketsDropped + deadTurn.stats().tcpConnectionsTotal, 'the first server was really tried').toBeGreaterThan(0);
  await expectIntact(app, s, workDir);
});
