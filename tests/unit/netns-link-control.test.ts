import { randomBytes } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { runIn } from '../../harness/netns/exec.js';
import { linkIngressRules } from '../../harness/netns/link-control.js';
import { pingOnce } from '../../harness/netns/ping.js';
import { measureTcpThroughput, measureUdpDelivery } from '../../harness/netns/probe-runner.js';
import { createTopology, type Topology } from '../../harness/netns/topology.js';
import { netnsTestUnavailable } from './netns-test-env.js';

// Each control is checked by real traffic between namespaces: ping, and UDP/TCP probes run with
// `ip netns exec`. Bounds are loose: two shared cores run browsers next to these tests.

const unavailable = netnsTestUnavailable();
if (unavailable) console.warn(`netns link-control tests skipped: ${unavailable}`);

const PROBE_TEST_TIMEOUT_MS = 90_000;
const LOSS_PERCENT = 20;
const LOSS_DATAGRAMS = 2_000;
const RATE_KBPS = 2_000;
const RATE_DURATION_MS = 3_000;

describe('link controls', () => {
  let topology: Topology | undefined;

  beforeEach(async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    topology = await createTopology({ name: `l${randomBytes(3).toString('hex')}`, peers: ['sender', 'receiver'] });
  });
  afterEach(async () => {
    await topology?.destroy();
    topology = undefined;
  });

  function ends(t: Topology) {
    const sender = t.peer('sender');
    const receiver = t.peer('receiver');
    return { sender, receiver, to: { ns: receiver.ns, address: receiver.address } };
  }

  it('cut() silences the link both ways, for peers and the hub alike; restore() brings it back', async () => {
    const t = topology!;
    const { sender, receiver } = ends(t);
    await sender.link.cut();
    await sender.link.cut(); // idempotent
    expect(sender.link.state.cut).toBe(true);
    expect(await pingOnce(sender.ns, receiver.address)).toBe(false);
    expect(await pingOnce(receiver.ns, sender.address)).toBe(false);
    expect(await pingOnce(sender.ns, t.serviceAddress)).toBe(false);
    // The other peer's own link is untouched.
    expect(await pingOnce(receiver.ns, t.serviceAddress)).toBe(true);

    await sender.link.restore();
    expect(await pingOnce(sender.ns, receiver.address)).toBe(true);
    expect((await runIn(t.hubNs, 'nft', ['list', 'tables'])).stdout).not.toContain('wrh-link-sender');
    // Every dropped packet was counted, and the count outlives the table that dropped it: the two
    // pings from the sender died at the hub's end, the receiver's echo request at the sender's end.
    const dropped = await sender.link.droppedPackets();
    expect(dropped.fromPeer, 'echo requests from the sender (to receiver and to the hub), dropped at the hub end').toBeGreaterThanOrEqual(2);
    expect(dropped.toPeer, "the receiver's echo request, dropped at the sender's end").toBeGreaterThanOrEqual(1);
    expect(await receiver.link.droppedPackets()).toEqual({ fromPeer: 0, toPeer: 0 });
  });

  it('lossPercent drops about that share of datagrams, each direction', { timeout: PROBE_TEST_TIMEOUT_MS }, async () => {
    const { sender, to } = ends(topology!);
    const clean = await measureUdpDelivery(sender, to, { count: LOSS_DATAGRAMS });
    await sender.link.shape({ lossPercent: LOSS_PERCENT });
    const lossy = await measureUdpDelivery(sender, to, { count: LOSS_DATAGRAMS });
    const counted = await sender.link.droppedPackets();
    console.info(`UDP loss: counted ${counted.fromPeer} dropped at the hub end for ${lossy.sent - lossy.received} lost`);
    expect(counted.fromPeer, 'the loss rule counted the datagrams it dropped').toBeGreaterThan(0);
    console.info(`UDP loss: clean link ${clean.lossPercent.toFixed(2)} %, ${LOSS_PERCENT} % configured ${lossy.lossPercent.toFixed(2)} % (${LOSS_DATAGRAMS} datagrams)`);
    expect(clean.lossPercent).toBeLessThan(2);
    // Binomial sd at n=2000, p=0.2 is 0.9 points; allow for extra loss on a loaded machine.
    expect(lossy.lossPercent).toBeGreaterThan(LOSS_PERCENT - 6);
    expect(lossy.lossPercent).toBeLessThan(LOSS_PERCENT + 8);
  });

  it('rateKbps caps TCP throughput near the rate; unshape() lifts it', { timeout: PROBE_TEST_TIMEOUT_MS }, async () => {
    const { sender, to } = ends(topology!);
    await sender.link.shape({ rateKbps: RATE_KBPS });
    const shaped = await measureTcpThroughput(sender, to, { durationMs: RATE_DURATION_MS });
    expect(await sender.link.shapedPackets(), 'tbf held packets back (overlimits): the cap acted').toBeGreaterThan(0);
    await sender.link.unshape();
    expect((await runIn(sender.ns, 'tc', ['qdisc', 'show', 'dev', sender.ifname])).stdout).not.toContain('tbf');
    const free = await measureTcpThroughput(sender, to, { durationMs: 1_000 });
    console.info(`TCP: shaped to ${RATE_KBPS} kbit/s → ${shaped.kbps.toFixed(0)} kbit/s; unshaped ${(free.kbps / 1000).toFixed(0)} Mbit/s`);
    expect(shaped.kbps).toBeGreaterThan(RATE_KBPS * 0.5);
    expect(shaped.kbps).toBeLessThan(RATE_KBPS * 1.3);
    expect(free.kbps).toBeGreaterThan(RATE_KBPS * 5);
  });

  it('blockUdp drops UDP but not ICMP; blockTurnPort drops one port only', { timeout: PROBE_TEST_TIMEOUT_MS }, async () => {
    const { sender, receiver, to } = ends(topology!);
    await sender.link.blockUdp();
    expect((await measureUdpDelivery(sender, to, { count: 200 })).received).toBe(0);
    expect(await pingOnce(sender.ns, receiver.address)).toBe(true);
    await sender.link.unblockUdp();

    const turnPort = 23_478;
    await sender.link.blockTurnPort(turnPort, 'udp');
    await sender.link.blockTurnPort(turnPort, 'udp'); // idempotent: one rule
    expect(sender.link.state.blockedPorts).toEqual([{ port: turnPort, proto: 'udp' }]);
    expect((await measureUdpDelivery(sender, to, { count: 200, port: turnPort })).received).toBe(0);
    expect((await measureUdpDelivery(sender, to, { count: 200, port: turnPort + 1 })).received).toBe(200);
    await sender.link.reset();
    expect(sender.link.state).toEqual({ cut: false, rateKbps: undefined, lossPercent: 0, blockUdp: false, blockedPorts: [] });
  });

  it('blockDirectPeerTraffic leaves only paths through a server in the hub', { timeout: PROBE_TEST_TIMEOUT_MS }, async () => {
    const t = topology!;
    const { sender, receiver } = ends(t);
    await t.hub.blockDirectPeerTraffic();
    expect(await pingOnce(sender.ns, receiver.address)).toBe(false);
    expect(await pingOnce(receiver.ns, sender.address)).toBe(false);
    expect(await pingOnce(sender.ns, t.serviceAddress)).toBe(true);
    // A server started in the hub (here a UDP counter) is reached by both peers: the relay path.
    const hubListener = { ns: t.hubNs, address: t.serviceAddress };
    expect((await measureUdpDelivery(sender, hubListener, { count: 200 })).received).toBe(200);
    expect((await measureUdpDelivery(receiver, hubListener, { count: 200 })).received).toBe(200);
    await t.hub.allowDirectPeerTraffic();
    expect(await pingOnce(sender.ns, receiver.address)).toBe(true);

    await t.hub.blockDirectPeerTraffic('receiver');
    expect(await pingOnce(sender.ns, receiver.address)).toBe(false);
    await t.hub.reset();
    expect(await pingOnce(sender.ns, receiver.address)).toBe(true);
    await expect(t.hub.blockDirectPeerTraffic('nobody')).rejects.toMatchObject({ code: 'ERR_CONFIG' });
  });

  it('renders rules per side and rejects bad values before touching anything', async () => {
    const state = { cut: false, rateKbps: undefined, lossPercent: 2.5, blockUdp: true, blockedPorts: [{ port: 3478, proto: 'udp' as const }] };
    expect(linkIngressRules(state, true)).toEqual(['meta protocol arp accept', 'meta l4proto udp counter drop', 'udp dport 3478 counter drop', 'numgen random mod 10000 < 250 counter drop']);
    expect(linkIngressRules(state, false)).toContain('udp sport 3478 counter drop');
    expect(linkIngressRules({ ...state, cut: true }, false)).toEqual(['meta protocol arp accept', 'counter drop']);
    expect(linkIngressRules({ ...state, blockUdp: false, blockedPorts: [], lossPercent: 100 }, true)).toEqual(['meta protocol arp accept', 'counter drop']);
    expect(linkIngressRules({ ...state, lossPercent: 0, blockUdp: false, blockedPorts: [] }, true)).toEqual([]);
    const link = topology!.link('sender');
    for (const bad of [link.shape({ lossPercent: 101 }), link.shape({ rateKbps: 0 }), link.blockTurnPort(70_000)]) {
      const err = await bad.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('ERR_CONFIG');
    }
    expect(link.state.lossPercent).toBe(0);
  });
});
