import { netBlock } from '../../harness/faults/net-block.js';
import { expect, test } from '../../harness/netns-fixtures.js';
import { selectedCandidatePairs, type SelectedPair } from '../../harness/probes/rtc-capture.js';
import type { Peer } from '../../harness/browser/peer.js';
import { expectIntact, startTransfer } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 8 * 1024 * 1024;
const COMPLETE_WITHIN_MS = 90_000;

// Mechanism: network namespaces (root). Each browser runs in its own namespace; coturn,
// signaling and the app sit in the hub. ICE policy stays 'all': nothing in the app or the
// browser is told to relay, the network alone leaves no other way.

async function pairsOf(peer: Peer): Promise<SelectedPair[]> {
  const pairs = await selectedCandidatePairs(peer.page);
  expect(pairs.length, `${peer.name} has a selected candidate pair`).toBeGreaterThan(0);
  return pairs;
}

const usesRelay = (p: SelectedPair): boolean => p.localType === 'relay' || p.remoteType === 'relay';

test.describe('NET-5: STUN / direct ICE blocked', () => {
  test.use({ iceTransportPolicy: 'all' });

  test('control: the same topology without the block connects directly (host/srflx)', async ({ peers, app, makeFile, workDir }) => {
    const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
    await app.waitForComplete(s.receiver.page, COMPLETE_WITHIN_MS);
    for (const peer of [s.sender, s.receiver]) {
      const pairs = await pairsOf(peer);
      test.info().annotations.push({ type: 'path', description: `${peer.name}: ${pairs.map((p) => `${p.localType} ${p.localAddress} → ${p.remoteType} ${p.remoteAddress}`).join('; ')}` });
      for (const p of pairs) {
        expect(['host', 'srflx'], `${peer.name} local candidate is direct: ${JSON.stringify(p)}`).toContain(p.localType);
        expect(['host', 'srflx', 'prflx'], `${peer.name} remote candidate is direct: ${JSON.stringify(p)}`).toContain(p.remoteType);
      }
    }
    await expectIntact(app, s, workDir);
  });

  test('direct peer-to-peer traffic dropped by nft → falls back to the TURN relay and completes', async ({ peers, app, makeFile, workDir, chaos, netns }) => {
    // Before the peers exist: every host and srflx pair fails its checks, only the relay answers.
    await chaos.inject(netBlock.create({ blockDirect: true }, netns.faults));
    const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
    const started = Date.now();
    await app.waitForComplete(s.receiver.page, COMPLETE_WITHIN_MS);
    const seconds = (Date.now() - started) / 1000;
    const turnAt = `${netns.turn.host}:${netns.turn.port}`;
    for (const peer of [s.sender, s.receiver]) {
      const pairs = await pairsOf(peer);
      test.info().annotations.push({ type: 'path', description: `${peer.name}: ${pairs.map((p) => `${p.localType} ${p.localAddress} → ${p.remoteType} ${p.remoteAddress} (${p.url ?? 'no TURN url'})`).join('; ')}` });
      for (const p of pairs) expect(usesRelay(p), `${peer.name} goes through the relay: ${JSON.stringify(p)}`).toBe(true);
      // The relay is our coturn in the hub, proven by the address the browser talks to.
      expect(pairs.some((p) => p.localAddress.startsWith(`${netns.turn.host}:`) || p.remoteAddress.startsWith(`${netns.turn.host}:`)), `${peer.name} relays through coturn at ${turnAt}`).toBe(true);
    }
    test.info().annotations.push({ type: 'throughput', description: `${(FILE_BYTES / 1048576 / seconds).toFixed(2)} MiB/s through coturn in the hub` });
    await expectIntact(app, s, workDir);
  });
});
