import { randomBytes } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Fault } from '../../harness/faults/fault.js';
import { netBlock } from '../../harness/faults/net-block.js';
import { NET_FAULT_NEEDS, type NetFaultContext } from '../../harness/faults/net-context.js';
import { netCutLink, type NetCutLink } from '../../harness/faults/net-cut-link.js';
import { netShapeLink } from '../../harness/faults/net-shape-link.js';
import { faultDefinition } from '../../harness/faults/registry.js';
import type { TestInfo } from '@playwright/test';

import { HarnessError } from '../../harness/errors.js';
import { ChaosController } from '../../harness/faults/chaos-controller.js';
import { pingOnce } from '../../harness/netns/ping.js';
import { createTopology, type Topology } from '../../harness/netns/topology.js';
import { netnsTestUnavailable } from './netns-test-env.js';

// The net-* faults on a real topology: injected, observed with ping, healed (twice, and without inject).

const unavailable = netnsTestUnavailable();
if (unavailable) console.warn(`net-* fault tests skipped: ${unavailable}`);

// Long enough that the ping during the cut (1 s wait) starts and ends inside it on a loaded machine.
const CUT_MS = 2_500;
const TURN_PORT = 34_780;

describe('registered net-* faults', () => {
  it('are registered by name with the needs that make their tests skip without root', () => {
    for (const def of [netCutLink, netShapeLink, netBlock]) {
      expect(faultDefinition(def.name)).toBe(def);
      expect(def.needs).toEqual({ root: true, binaries: ['ip', 'nft', 'tc'], engines: ['chromium'] });
      expect(def.summary.length).toBeGreaterThan(20);
    }
    expect(NET_FAULT_NEEDS.root).toBe(true);
  });
});

describe('net-* faults on a topology', () => {
  let topology: Topology | undefined;
  const faults: Fault[] = [];

  beforeEach(async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    topology = await createTopology({ name: `f${randomBytes(3).toString('hex')}`, peers: ['sender', 'receiver'] });
  });
  afterEach(async () => {
    // What a fixture does: heal everything, whatever happened, then tear down.
    for (const f of faults.splice(0).reverse()) await f.heal();
    await topology?.destroy();
    topology = undefined;
  });

  function ctx(): NetFaultContext {
    return { topology: topology!, stunPort: TURN_PORT };
  }

  it('net-cut-link cuts, restores itself after durationMs, and heals idempotently', async () => {
    const t = topology!;
    const fault = netCutLink.create({ peer: 'sender', durationMs: CUT_MS }, ctx()) as NetCutLink;
    faults.push(fault);
    const injectedAt = Date.now();
    await fault.inject();
    expect(t.link('sender').state.cut).toBe(true);
    expect(await pingOnce(t.peer('sender').ns, t.peer('receiver').address)).toBe(false);
    await fault.untilRestored();
    expect(fault.restoredAtMs! - injectedAt).toBeGreaterThanOrEqual(CUT_MS);
    expect(await pingOnce(t.peer('sender').ns, t.peer('receiver').address)).toBe(true);
    await fault.heal();
    await fault.heal();
    expect(t.link('sender').state.cut).toBe(false);
    // The ping during the cut is the proof it acted; the one after the restore does not count.
    expect(fault.evidence?.()?.acted).toBe(true);
    expect(fault.evidence?.()?.facts.packetsDroppedFromPeer).toBeGreaterThanOrEqual(1);
  });

  it('a cut that no packet crossed did not act: the chaos controller fails the heal (ERR_FAULT_DID_NOT_ACT)', async () => {
    const chaos = new ChaosController({ annotations: [] } as unknown as TestInfo);
    const fault = netCutLink.create({ peer: 'receiver' }, ctx());
    faults.push(fault);
    await chaos.inject(fault);
    const err = await chaos.heal(fault).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('ERR_FAULT_DID_NOT_ACT');
    expect(chaos.records[0]!.evidence).toMatchObject({ acted: false, facts: { packetsDroppedFromPeer: 0, packetsDroppedToPeer: 0 } });
    // The same fault with traffic on the link acted, and the controller lets the heal through.
    const again = netCutLink.create({ peer: 'receiver' }, ctx());
    faults.push(again);
    await chaos.inject(again);
    expect(await pingOnce(topology!.peer('sender').ns, topology!.peer('receiver').address)).toBe(false);
    await chaos.heal(again);
    expect(chaos.records[1]!.evidence?.acted).toBe(true);
    expect(chaos.records[1]!.evidence?.facts.packetsDroppedToPeer).toBeGreaterThanOrEqual(1);
  });

  it('net-cut-link without a duration stays cut until heal(); heal() before inject() is harmless', async () => {
    const t = topology!;
    const fault = netCutLink.create({ peer: 'receiver' }, ctx());
    faults.push(fault);
    await fault.heal();
    await fault.inject();
    await fault.inject();
    expect(await pingOnce(t.peer('sender').ns, t.peer('receiver').address)).toBe(false);
    await fault.heal();
    expect(await pingOnce(t.peer('sender').ns, t.peer('receiver').address)).toBe(true);
    expect(fault.evidence?.()?.acted).toBe(true);
  });

  it('net-shape-link sets rate and loss, and heal takes off only what it set', async () => {
    const link = topology!.link('sender');
    await link.blockUdp(); // set by someone else: must survive the heal
    const fault = netShapeLink.create({ peer: 'sender', rateKbps: 1_000, lossPercent: 5 }, ctx());
    faults.push(fault);
    await fault.inject();
    await fault.inject();
    expect(link.state).toMatchObject({ rateKbps: 1_000, lossPercent: 5, blockUdp: true });
    await fault.heal();
    await fault.heal();
    expect(link.state).toMatchObject({ rateKbps: undefined, lossPercent: 0, blockUdp: true });
    // Nothing crossed the shaped link: neither the loss nor the cap acted.
    expect(fault.evidence?.()).toMatchObject({ acted: false, facts: { packetsDropped: 0, packetsOverRate: 0 } });
  });

  it('net-shape-link with all packets lost proves it by the packets it dropped', async () => {
    const t = topology!;
    const fault = netShapeLink.create({ peer: 'sender', lossPercent: 100 }, ctx());
    faults.push(fault);
    await fault.inject();
    expect(await pingOnce(t.peer('sender').ns, t.peer('receiver').address)).toBe(false);
    await fault.heal();
    expect(fault.evidence?.()).toMatchObject({ acted: true, facts: { packetsOverRate: 0 } });
    expect(fault.evidence?.()?.facts.packetsDropped).toBeGreaterThanOrEqual(1);
  });

  it('net-block blocks direct traffic and STUN for every peer, and heals', async () => {
    const t = topology!;
    const fault = netBlock.create({ blockDirect: true, blockStun: true }, ctx());
    faults.push(fault);
    await fault.inject();
    expect(t.hub.state.blockDirectAll).toBe(true);
    for (const p of t.peers) expect(p.link.state.blockedPorts).toEqual([{ port: TURN_PORT, proto: 'udp' }]);
    expect(await pingOnce(t.peer('sender').ns, t.peer('receiver').address)).toBe(false);
    expect(await pingOnce(t.peer('sender').ns, t.serviceAddress)).toBe(true);
    await fault.heal();
    await fault.heal();
    expect(t.hub.state.blockDirectAll).toBe(false);
    for (const p of t.peers) expect(p.link.state.blockedPorts).toEqual([]);
    expect(await pingOnce(t.peer('sender').ns, t.peer('receiver').address)).toBe(true);
    expect(fault.evidence?.()).toMatchObject({ acted: true });
    expect(fault.evidence?.()?.facts.packetsDropped).toBeGreaterThanOrEqual(1);
  });

  it('reject bad parameters when created, before anything is injected', () => {
    const bad = [
      () => netCutLink.create({ peer: 'nobody' }, ctx()),
      () => netCutLink.create({ peer: 'sender', durationMs: -1 }, ctx()),
      () => netShapeLink.create({ peer: 'sender' }, ctx()),
      () => netBlock.create({ peer: 'sender' }, ctx()),
      () => netBlock.create({ peer: 'nobody', blockUdp: true }, ctx()),
    ];
    for (const make of bad) {
      let err: unknown;
      try {
        make();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('ERR_CONFIG');
    }
  });
});
