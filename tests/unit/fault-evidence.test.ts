import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { TestInfo } from '@playwright/test';
import { afterEach, describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { startFaultProxy, type FaultProxy } from '../../harness/fault-proxy/proxy.js';
import { ChaosController } from '../../harness/faults/chaos-controller.js';
import { killSignaling } from '../../harness/faults/kill-signaling.js';
import { datagramsToTellLoss, proxyEvidence } from '../../harness/faults/proxy-evidence.js';
import type { ProxyStats } from '../../harness/fault-proxy/control-protocol.js';
import { restartEvidence } from '../../harness/faults/restart-evidence.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { launchSignaling, type SignalingProcess } from '../../harness/servers/signaling-process.js';

// In-run proof that a fault acted, on real parts: the fault proxy in front of a real UDP echo
// server (loopback), and the signaling server as its own OS process. A fault with no effect must
// fail its heal through the chaos controller, so a scenario cannot pass on a no-op fault.

const HOST = '127.0.0.1';
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const chaosFor = (): ChaosController => new ChaosController({ annotations: [] } as unknown as TestInfo);

async function udpSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

/** A UDP echo standing in for coturn, and the proxy in front of it. */
async function echoBehindProxy(): Promise<{ proxy: FaultProxy; client: dgram.Socket; echoes: () => number }> {
  const echo = await udpSocket();
  echo.on('message', (msg, from) => echo.send(msg, from.port, from.address));
  const proxy = await startFaultProxy({ listenHost: HOST, upstreamHost: HOST, upstreamPort: echo.address().port });
  cleanups.push(() => proxy.close());
  const client = await udpSocket();
  let n = 0;
  client.on('message', () => n++);
  return { proxy, client, echoes: () => n };
}

async function send(client: dgram.Socket, port: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve, reject) => client.send(Buffer.from(`d${i}`), port, HOST, (err) => (err ? reject(err) : resolve())));
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function healError(chaos: ChaosController, fault: Parameters<ChaosController['heal']>[0]): Promise<unknown> {
  return chaos.heal(fault).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('fault-proxy toxics prove they acted by what the proxy counted', () => {
  it('a blackhole that swallowed datagrams acted; the same blackhole with no traffic did not, and its heal fails', async () => {
    const { proxy, client, echoes } = await echoBehindProxy();
    const chaos = chaosFor();
    const hole = await chaos.inject(turnProxyToxics.create({ blackhole: true }, { proxy }));
    await send(client, proxy.port, 20);
    await until('the proxy to count 20 datagrams in', () => proxy.stats().udpPacketsIn >= 20);
    await chaos.heal(hole);
    expect(echoes(), 'nothing came back through the blackhole').toBe(0);
    expect(chaos.records[0]!.evidence).toMatchObject({ acted: true, facts: { udpPacketsDropped: 20, udpPacketsIn: 20 } });

    const idle = await chaos.inject(turnProxyToxics.create({ blackhole: true }, { proxy }));
    const err = await healError(chaos, idle);
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('ERR_FAULT_DID_NOT_ACT');
    expect((err as HarnessError).message).toContain('NOT seen: blackhole dropped datagrams');
    expect(chaos.records[1]!.evidence).toMatchObject({ acted: false, facts: { udpPacketsDropped: 0 } });
  });

  it('a delay acted when traffic crossed the proxy while it was on', async () => {
    const { proxy, client, echoes } = await echoBehindProxy();
    const chaos = chaosFor();
    const slow = await chaos.inject(turnProxyToxics.create({ delayMs: 50 }, { proxy }));
    await send(client, proxy.port, 5);
    await until('5 delayed echoes', () => echoes() >= 5);
    await chaos.heal(slow);
    expect(chaos.records[0]!.evidence?.acted).toBe(true);
    expect(chaos.records[0]!.evidence?.facts.udpPacketsIn).toBeGreaterThanOrEqual(10); // each datagram in, each echo back
  });

  it('with faults off nothing is injected, so nothing is demanded', async () => {
    const { proxy } = await echoBehindProxy();
    process.env.HARNESS_FAULTS_OFF = '1';
    try {
      const chaos = chaosFor();
      const hole = await chaos.inject(turnProxyToxics.create({ blackhole: true }, { proxy }));
      await chaos.heal(hole);
      expect(chaos.records[0]!.evidence).toBeUndefined();
    } finally {
      delete process.env.HARNESS_FAULTS_OFF;
    }
  });
});

describe('kill-and-restart faults prove they acted by the PID', () => {
  it('kill-signaling: the old pid is gone and another one serves after the heal', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-evidence-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const signaling: SignalingProcess = await launchSignaling({ logPath: path.join(dir, 'signaling.log') });
    cleanups.push(() => signaling.stop());
    const before = signaling.pid;
    const chaos = chaosFor();
    const kill = await chaos.inject(killSignaling.create({ signal: 'SIGKILL' }, { signaling }));
    await chaos.heal(kill);
    expect(chaos.records[0]!.evidence).toMatchObject({ acted: true, facts: { pidBefore: before, goneAfterKill: true } });
    expect(chaos.records[0]!.evidence?.facts.pidAfter).toBe(signaling.pid);
    expect(signaling.pid).not.toBe(before);
  });
});

describe('restartEvidence', () => {
  it('refuses a kill that left the process alive, a restart that kept the pid, and an unknown pid', () => {
    expect(restartEvidence('x', 100, true, 200).acted).toBe(true);
    expect(restartEvidence('x', 100, false, 200).acted).toBe(false);
    expect(restartEvidence('x', 100, true, 100).acted).toBe(false);
    expect(restartEvidence('x', undefined, true, 200).acted).toBe(false);
    expect(restartEvidence('x', 100, true, undefined).acted).toBe(false);
  });
});

describe('proxyEvidence counts each toxic by its own reason', () => {
  const stats = (over: Partial<ProxyStats> = {}): ProxyStats => ({
    udpSessions: 1, udpPacketsIn: 0, udpPacketsOut: 0, udpPacketsDropped: 0,
    udpDrops: { blocked: 0, loss: 0, rateLimit: 0, queueFull: 0, sessionLimit: 0 },
    udpPacketsReordered: 0, tcpConnectionsOpen: 0, tcpConnectionsTotal: 0, tcpConnectionsRefused: 0,
    tcpConnectionsReset: 0, tcpBytes: 0, queuedBytes: 0, queuedBytesLimit: 16 << 20, ...over,
  });
  it("a rate cap's queue and drops do not pass for a blackhole that did nothing (NET-4 stacks both)", () => {
    // Measured: a no-op blackhole flap passed NET-4 on the proxy while queued bytes counted for it.
    const rateOnly = stats({ udpPacketsIn: 900, udpPacketsOut: 850, udpPacketsDropped: 50, udpDrops: { blocked: 0, loss: 0, rateLimit: 50, queueFull: 0, sessionLimit: 0 }, queuedBytes: 120_000 });
    expect(proxyEvidence({ blackhole: true }, stats(), rateOnly).acted).toBe(false);
    // The same, with an idle TURN/TCP connection open next to the UDP relay (what NET-4 really had).
    expect(proxyEvidence({ blackhole: true }, stats(), { ...rateOnly, tcpConnectionsOpen: 1 }).acted).toBe(false);
    const swallowed = stats({ udpPacketsIn: 900, udpPacketsDropped: 900, udpDrops: { blocked: 900, loss: 0, rateLimit: 0, queueFull: 0, sessionLimit: 0 }, queuedBytes: 120_000 });
    expect(proxyEvidence({ blackhole: true }, stats(), swallowed).acted).toBe(true);
    // Over TCP: bytes held and none out is a blackhole; bytes still flowing is not.
    expect(proxyEvidence({ blackhole: true }, stats({ tcpBytes: 5_000 }), stats({ tcpBytes: 5_000, queuedBytes: 64_000, tcpConnectionsOpen: 1 })).acted).toBe(true);
    expect(proxyEvidence({ blackhole: true }, stats({ tcpBytes: 5_000 }), stats({ tcpBytes: 90_000, queuedBytes: 64_000, tcpConnectionsOpen: 1 })).acted).toBe(false);
    // Loss is random: 0 of 200 datagrams lost at 5 % did not act (p = 3.5e-5); 0 of 30 cannot tell (p = 0.21).
    expect(datagramsToTellLoss(5)).toBe(135);
    expect(datagramsToTellLoss(100)).toBe(1);
    expect(proxyEvidence({ lossPercent: 5 }, stats(), stats({ udpPacketsIn: 200, udpDrops: { blocked: 7, loss: 0, rateLimit: 0, queueFull: 0, sessionLimit: 0 } })).acted).toBe(false);
    expect(proxyEvidence({ lossPercent: 5 }, stats(), stats({ udpPacketsIn: 30 })).acted).toBe(true);
    expect(proxyEvidence({ lossPercent: 5 }, stats(), stats({ udpPacketsIn: 200, udpDrops: { blocked: 0, loss: 9, rateLimit: 0, queueFull: 0, sessionLimit: 0 } })).acted).toBe(true);
  });
});
