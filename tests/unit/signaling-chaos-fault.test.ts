import { afterEach, describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { faultDefinition } from '../../harness/faults/registry.js';
import { signalingChaos, type SignalingChaosParams } from '../../harness/faults/signaling-chaos.js';
import { CHAOS_CONFIG_PATH, type ChaosStatus } from '../../signaling/chaos-protocol.js';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.js';

const KEY = 'fault-test-key-0123456789';
const PARAMS: SignalingChaosParams = { dropRate: 0.2, disconnectRate: 0.01, minLatencyMs: 10, maxLatencyMs: 40, rooms: ['exp-*'] };
const servers: SignalingServer[] = [];

async function startServer(withKey = true): Promise<SignalingServer> {
  const server = await createSignalingServer({ host: '127.0.0.1', port: 0, ...(withKey ? { chaosKey: KEY } : {}) });
  servers.push(server);
  return server;
}

async function chaosConfig(server: SignalingServer): Promise<ChaosStatus['config']> {
  const res = await fetch(`${server.httpUrl}${CHAOS_CONFIG_PATH}`, { headers: { 'x-chaos-key': KEY } });
  return ((await res.json()) as ChaosStatus).config;
}

async function rejection(p: Promise<unknown>): Promise<HarnessError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HarnessError);
  return err as HarnessError;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('signaling-chaos fault', () => {
  it('is registered by name; inject turns the chaos on, heal turns it off, and heal is always safe', async () => {
    expect(faultDefinition('signaling-chaos')).toBe(signalingChaos);
    const server = await startServer();
    const fault = signalingChaos.create(PARAMS, { httpUrl: server.httpUrl, chaosKey: KEY });
    await fault.heal(); // before inject: nothing to do
    await fault.inject();
    expect(await chaosConfig(server)).toEqual({ enabled: true, dropRate: 0.2, disconnectRate: 0.01, minLatencyMs: 10, maxLatencyMs: 40, includeRooms: ['exp-*'] });
    await fault.heal();
    expect((await chaosConfig(server)).enabled).toBe(false);
    await fault.heal(); // twice
  });

  it('refuses bad params when it is built, naming the param', () => {
    const err = (() => {
      try {
        signalingChaos.create({ ...PARAMS, dropRate: 2 }, { httpUrl: 'http://127.0.0.1:1', chaosKey: KEY });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).message).toContain('dropRate must be a number from 0 to 1');
    expect(() => signalingChaos.create({ ...PARAMS, rooms: ['../x'] }, { httpUrl: 'http://127.0.0.1:1', chaosKey: KEY })).toThrow(/rooms\[0\]/);
  });

  it('says what to do when the key is wrong or the API is off', async () => {
    const server = await startServer();
    const wrongKey = await rejection(signalingChaos.create(PARAMS, { httpUrl: server.httpUrl, chaosKey: 'not-the-key-at-all' }).inject());
    expect(wrongKey.code).toBe('ERR_CONFIG');
    expect(wrongKey.message).toContain('answered 401');
    expect(wrongKey.hint).toContain('not the key the server was started with');

    const keyless = await startServer(false);
    const off = await rejection(signalingChaos.create(PARAMS, { httpUrl: keyless.httpUrl, chaosKey: KEY }).inject());
    expect(off.message).toContain('answered 404');
    expect(off.hint).toContain('chaosKey');
  });

  it('heals quietly when the server is down (its chaos died with it)', async () => {
    const server = await startServer();
    const fault = signalingChaos.create(PARAMS, { httpUrl: server.httpUrl, chaosKey: KEY });
    await fault.inject();
    await server.close();
    await fault.heal();
    const again = signalingChaos.create(PARAMS, { httpUrl: server.httpUrl, chaosKey: KEY });
    expect((await rejection(again.inject())).hint).toContain('is the signaling server running?');
  });
});
