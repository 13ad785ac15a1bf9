import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { checkPeerNat, classifyNat, EXPECTED_NAT, natMismatch, type NatClassification } from '../../harness/netns/classify-nat.js';
import { run, runIn } from '../../harness/netns/exec.js';
import { listNamespaces } from '../../harness/netns/namespaces.js';
import { applyNatRouter, type NatType } from '../../harness/netns/nat-router.js';
import { probeReadyInNetns } from '../../harness/netns/ready-in-netns.js';
import { readClaims } from '../../harness/netns/registry.js';
import { createTopology, type Topology } from '../../harness/netns/topology.js';
import { launchTurnServer, resolveTurnRuntime, type TurnServer } from '../../turn/launcher.js';
import { onPath } from '../../harness/faults/needs.js';
import { netnsTestUnavailable } from './netns-test-env.js';

// Real router namespaces doing real nft NAT, classified by real RFC 5780 tests against a real
// coturn with two addresses in the hub. Root only; run under the shared lock.

function unavailableHere(): string | undefined {
  const reason = netnsTestUnavailable();
  if (reason) return reason;
  if (!onPath('conntrack')) return 'needs `conntrack` (apt-get install -y conntrack)';
  try {
    return resolveTurnRuntime(undefined).kind === 'native' ? undefined : 'needs a native coturn (apt-get install -y coturn)';
  } catch (err) {
    return (err as Error).message;
  }
}
const unavailable = unavailableHere();
if (unavailable) console.warn(`netns NAT tests skipped: ${unavailable}`);

/** One peer per type: the peer is named after what is in front of it. */
const PEERS: Record<string, NatType> = { open: 'none', full: 'full-cone', port: 'port-restricted', sym: 'symmetric', blocked: 'udp-blocked' };

describe.skipIf(unavailable !== undefined)('NAT routers, classified with RFC 5780 from inside each peer', () => {
  let topology: Topology | undefined;
  let turn: TurnServer | undefined;
  let workDir: string | undefined;
  const server = (): { host: string; port: number } => ({ host: topology!.serviceAddress, port: turn!.port });

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-nat-test-'));
    topology = await createTopology({ name: `n${randomBytes(3).toString('hex')}`, peers: Object.keys(PEERS), nat: PEERS });
    turn = await launchTurnServer({ netns: topology.hubNs, probeReadyInNetns, host: topology.serviceAddress, alternateHost: topology.alternateServiceAddress, workDir });
  }, 60_000);

  afterAll(async () => {
    try {
      await turn?.dispose();
    } finally {
      await topology?.destroy();
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    }
  });

  it.each(Object.entries(PEERS))('peer %s behind %s classifies as that type', async (peer, type) => {
    const node = topology!.peer(peer);
    const found = await checkPeerNat(node, server());
    console.info(`NAT ${type}: ${JSON.stringify(found)}`);
    expect({ mapping: found.mapping, filtering: found.filtering, behindNat: found.behindNat }).toEqual(EXPECTED_NAT[type]);
    if (type !== 'udp-blocked' && type !== 'none') expect(found.mapped).toMatch(new RegExp(`^${node.publicAddress.replaceAll('.', '\\.')}:\\d+$`));
    if (type === 'none') expect(found.mapped?.split(':')[0]).toBe(node.address);
    // The kernel's masquerade keeps the source port when it can (NAT.md): that is what makes these two endpoint-independent.
    if (type === 'full-cone' || type === 'port-restricted') expect(found.mapped?.split(':')[1]).toBe(String(found.localPort));
    if (type === 'udp-blocked') expect(found.tcp.map((t) => t.reach)).toEqual(['refused', 'filtered']);
  }, 60_000);

  it('the private address behind a NAT is unreachable from the hub, and the router answers nothing on its WAN', async () => {
    const behind = topology!.peer('port');
    expect(behind.address).toMatch(/^192\.168\./);
    const pingFromHub = await runIn(topology!.hubNs, 'ping', ['-c', '1', '-W', '1', behind.address]).then(() => true, () => false);
    expect(pingFromHub).toBe(false);
    // ...and the router itself stays silent on its WAN (no ICMP answers to unsolicited packets).
    expect(await runIn(topology!.hubNs, 'ping', ['-c', '1', '-W', '1', behind.publicAddress]).then(() => true, () => false)).toBe(false);
  });

  it('fails fast with ERR_NAT_MISMATCH when a router is not the type it claims', async () => {
    // Claim a type, build another: the symmetric peer's router gets the full-cone rules.
    const sym = topology!.peer('sym');
    await applyNatRouter(sym.routerNs!, { type: 'full-cone', wanAddress: sym.publicAddress, lanPeer: sym.address });
    try {
      await topology!.flushNatMappings('sym');
      const err = await checkPeerNat(sym, server()).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('ERR_NAT_MISMATCH');
      expect((err as HarnessError).message).toContain('mapping endpoint-independent (want address-and-port-dependent)');
      expect((err as HarnessError).context.found).toMatchObject({ mapping: 'endpoint-independent', filtering: 'endpoint-independent' });
    } finally {
      await applyNatRouter(sym.routerNs!, { type: 'symmetric', wanAddress: sym.publicAddress, lanPeer: sym.address });
    }
    // And every other wrong claim about a measured type is refused too.
    const measured: Record<string, NatClassification> = {};
    for (const peer of ['full', 'port', 'sym']) measured[peer] = await classifyNat(topology!.peer(peer), server());
    for (const [peer, found] of Object.entries(measured)) {
      for (const claim of ['full-cone', 'port-restricted', 'symmetric', 'none', 'udp-blocked'] as NatType[]) {
        expect(natMismatch(claim, found) === undefined, `${peer} claimed as ${claim}`).toBe(claim === PEERS[peer]);
      }
    }
  }, 60_000);

  it('flushNatMappings() empties the router\'s conntrack table; a peer behind no NAT has none to flush', async () => {
    const sym = topology!.peer('sym');
    await classifyNat(sym, server());
    const entries = async (): Promise<number> => (await runIn(sym.routerNs!, 'conntrack', ['-L'])).stdout.split('\n').filter(Boolean).length;
    expect(await entries()).toBeGreaterThan(0);
    await topology!.flushNatMappings('sym');
    expect(await entries()).toBe(0);
    const err = await topology!.flushNatMappings('open').then(() => undefined, (e: unknown) => e);
    expect((err as HarnessError).code).toBe('ERR_CONFIG');
  }, 60_000);
});

describe.skipIf(unavailable !== undefined)('a NAT topology\'s teardown', () => {
  it('removes the router namespaces (with their nft tables) and the claim, even after a failed build', async () => {
    const name = `n${randomBytes(3).toString('hex')}`;
    const t = await createTopology({ name, peers: ['a', 'b'], nat: { a: 'symmetric', b: 'full-cone' } });
    expect(t.namespaces()).toEqual([t.hubNs, `wrh-${name}-a-nat`, `wrh-${name}-b-nat`, `wrh-${name}-a`, `wrh-${name}-b`]);
    expect((await runIn(t.peer('a').routerNs!, 'nft', ['list', 'tables'])).stdout).toContain('wrh-nat');
    await t.destroy();
    expect((await listNamespaces()).filter((ns) => ns.startsWith(`wrh-${name}-`))).toEqual([]);
    expect(readClaims().some((c) => c.topology === name)).toBe(false);
    expect((await run('nft', ['list', 'ruleset'])).stdout).not.toContain('wrh-nat');

    // A bad NAT type fails before anything exists; a peer the nat map names but the topology lacks too.
    const bad = `n${randomBytes(3).toString('hex')}`;
    const badNats: Array<Record<string, NatType>> = [{ a: 'cone' as NatType }, { z: 'symmetric' }];
    for (const nat of badNats) {
      const opts = { name: bad, peers: ['a'], nat };
      const err = await createTopology(opts).then((x) => x.destroy(), (e: unknown) => e);
      expect((err as HarnessError).code).toBe('ERR_CONFIG');
    }
    // A router whose rules nft rejects (port 99999) fails half-way through the build: what was made is removed.
    const halfway = `n${randomBytes(3).toString('hex')}`;
    const err = await createTopology({ name: halfway, peers: ['a'], nat: { a: 'udp-blocked' }, natAllowedTcpPorts: [99_999] }).then((x) => x.destroy(), (e: unknown) => e);
    expect((err as HarnessError).code).toBe('ERR_NETNS_COMMAND_FAILED');
    expect((await listNamespaces()).filter((ns) => ns.startsWith(`wrh-${bad}-`) || ns.startsWith(`wrh-${halfway}-`))).toEqual([]);
    expect(readClaims().some((c) => c.topology === halfway)).toBe(false);
    expect(readClaims().some((c) => c.topology === bad)).toBe(false);
  }, 60_000);
});
