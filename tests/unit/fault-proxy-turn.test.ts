import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy/proxy.js';
import type { Fault } from '../../harness/faults/fault.js';
import { faultDefinition } from '../../harness/faults/registry.js';
import { turnProxyBlockUdp } from '../../harness/faults/turn-proxy-block-udp.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { iceServersFor, type IceServer } from '../../turn/credentials.js';
import { launchTurnServer, type TurnServer } from '../../turn/launcher.js';
import { turnAllocate, type StunTransport } from '../../turn/stun-client.js';

// A real coturn behind the real proxy: the long-term-credential Allocate dance goes through it
// over UDP and over TCP, with and without faults. Everything is closed even when a test fails.

/** What a blocked allocate waits before giving up; the UDP client retransmits within it. */
const BLOCKED_TIMEOUT_MS = 600;

let turn: TurnServer;
let proxy: FaultProxy;
const faults: Fault[] = [];

beforeAll(async () => {
  turn = await launchTurnServer();
});

afterAll(async () => {
  await turn?.dispose();
});

afterEach(async () => {
  // As the harness's ChaosController does: heal newest first, whatever happened.
  for (const fault of faults.splice(0).reverse()) await fault.heal();
  await proxy?.close();
});

async function startProxy(): Promise<FaultProxy> {
  proxy = await startFaultProxy({ listenHost: turn.host, upstreamHost: turn.host, upstreamPort: turn.port });
  return proxy;
}

/** The iceServers a browser would get, pointed at the proxy: same secret, the proxy's port. */
function credentialsVia(p: FaultProxy): { username: string; password: string; servers: IceServer[] } {
  const servers = iceServersFor({ host: p.host, port: p.port, secret: turn.secret }, { user: 'alice', ttlSeconds: 600 });
  const relay = servers.find((s) => s.username !== undefined)!;
  return { username: relay.username!, password: relay.credential!, servers };
}

function allocateVia(p: FaultProxy, transport: StunTransport, timeoutMs?: number) {
  const { username, password } = credentialsVia(p);
  return turnAllocate({ host: p.host, port: p.port, transport, username, password, timeoutMs });
}

async function inject<F extends Fault>(fault: F): Promise<F> {
  faults.push(fault);
  await fault.inject();
  return fault;
}

describe('TURN through the fault proxy', () => {
  it('hands out iceServers for the proxy port', async () => {
    const p = await startProxy();
    expect(credentialsVia(p).servers[0]!.urls).toEqual([`turn:127.0.0.1:${p.port}?transport=udp`, `turn:127.0.0.1:${p.port}?transport=tcp`]);
  });

  it.each(['udp', 'tcp'] as const)('allocates a relay over %s, and coturn sees the proxy as the client', async (transport) => {
    const p = await startProxy();
    const result = await allocateVia(p, transport);
    if (!result.ok) throw new Error(`allocate failed: ${result.errorCode} ${result.reason}`);
    expect(result).toMatchObject({ released: true, relayedAddress: { address: '127.0.0.1' } });
    expect(result.mappedAddress?.port).not.toBe(p.port);
    const stats = p.stats();
    if (transport === 'udp') expect(stats).toMatchObject({ udpSessions: 1, udpPacketsDropped: 0 });
    else expect(stats.tcpBytes).toBeGreaterThan(0);
  });

  it('turn-proxy-block-udp makes a UDP allocate time out while TCP still allocates; heal restores UDP', async () => {
    const p = await startProxy();
    const block = await inject(turnProxyBlockUdp.create({}, { proxy: p }));
    expect(p.toxics).toEqual({ blockUdp: true });

    await expect(allocateVia(p, 'udp', BLOCKED_TIMEOUT_MS)).rejects.toMatchObject({ code: 'ERR_TURN_UNREACHABLE', message: expect.stringMatching(/no response within/) });
    expect(p.stats().udpDrops.blocked).toBeGreaterThan(0);
    expect(await allocateVia(p, 'tcp')).toMatchObject({ ok: true });

    await block.heal();
    expect(p.toxics).toEqual({});
    expect(await allocateVia(p, 'udp')).toMatchObject({ ok: true });
  });

  it('turn-proxy-toxics stacks over what is active and heal() puts back exactly that', async () => {
    const p = await startProxy();
    p.setToxics({ delayMs: 10 });
    const lossy = await inject(turnProxyToxics.create({ delayMs: 30, lossPercent: 0, blockTcp: true }, { proxy: p }));
    expect(p.toxics).toEqual({ delayMs: 30, lossPercent: 0, blockTcp: true });
    await expect(allocateVia(p, 'tcp', BLOCKED_TIMEOUT_MS)).rejects.toMatchObject({ code: 'ERR_TURN_UNREACHABLE' });
    expect(await allocateVia(p, 'udp')).toMatchObject({ ok: true });

    await lossy.heal();
    await lossy.heal(); // twice is harmless
    expect(p.toxics).toEqual({ delayMs: 10 });
    expect(await allocateVia(p, 'tcp')).toMatchObject({ ok: true });
  });

  it('both faults are registered by name, need no root, and refuse bad params when created', async () => {
    const p = await startProxy();
    for (const name of ['turn-proxy-toxics', 'turn-proxy-block-udp']) {
      expect(faultDefinition(name)).toMatchObject({ name, needs: {} });
    }
    expect(() => turnProxyToxics.create({ lossPercent: 200 }, { proxy: p })).toThrow(/lossPercent must be a number from 0 to 100/);
    // heal() without inject() must be safe: fixtures call it in teardown whatever happened.
    await turnProxyToxics.create({ blackhole: true }, { proxy: p }).heal();
    expect(p.toxics).toEqual({});
  });
});
