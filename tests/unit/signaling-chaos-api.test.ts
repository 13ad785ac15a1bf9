/**
 * The server-side chaos control API (signaling/chaos-protocol.ts), SEC-3's "chaos control API
 * without its key" included, and what the chaos does to relayed signals.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { SignalingTestClient } from '../../harness/signaling-chaos-client.js';
import { CHAOS_CONFIG_PATH, type ChaosConfigInput, type ChaosStatus } from '../../signaling/chaos-protocol.js';
import { validateChaosConfig } from '../../signaling/chaos.js';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling/server.js';

const KEY = 'chaos-key-0123456789abcdef';
const TOKEN = 'chaos-test-token';
/** Relays are rate limited like anything else; these tests send hundreds from one socket. */
const UNLIMITED = { messagesPerSecond: 1_000_000, messageBurst: 1_000_000 };

const clients: SignalingTestClient[] = [];
const servers: SignalingServer[] = [];

async function startServer(opts: Partial<SignalingServerOptions> = {}): Promise<SignalingServer> {
  const server = await createSignalingServer({ host: '127.0.0.1', port: 0, chaosKey: KEY, limits: UNLIMITED, ...opts });
  servers.push(server);
  return server;
}

function api(server: SignalingServer, init: { method?: string; key?: string | undefined; body?: unknown; path?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = 'key' in init ? init.key : KEY;
  if (key !== undefined) headers['x-chaos-key'] = key;
  const body = init.body === undefined ? null : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  return fetch(`${server.httpUrl}${init.path ?? CHAOS_CONFIG_PATH}`, { method: init.method ?? (body === null ? 'GET' : 'POST'), headers, body });
}

async function setChaos(server: SignalingServer, config: ChaosConfigInput): Promise<ChaosStatus> {
  const res = await api(server, { body: config });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as ChaosStatus;
}

async function pair(server: SignalingServer, room: string): Promise<[SignalingTestClient, SignalingTestClient]> {
  const alice = await SignalingTestClient.open(server.url);
  const bob = await SignalingTestClient.open(server.url);
  clients.push(alice, bob);
  await alice.join(room, 'alice', TOKEN);
  await bob.join(room, 'bob', TOKEN);
  return [alice, bob];
}

/** Sends `n` numbered signals alice → bob (no latency set), then waits until bob has all that will come. */
async function relay(alice: SignalingTestClient, bob: SignalingTestClient, n: number): Promise<number[]> {
  for (let i = 0; i < n; i++) alice.send({ type: 'signal', to: 'bob', data: { i } });
  await alice.roundTrip(-1); // the server has decided the fate of every one...
  await bob.roundTrip(-2); // ...and bob's socket carries the relayed ones ahead of this pong
  return bob.history.flatMap((m) => (m.type === 'signal' ? [(m.data as { i: number }).i] : []));
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('SEC-3: the chaos API needs its key', () => {
  it('does not exist without a configured key (404), whatever header is sent', async () => {
    const server = await startServer({ chaosKey: undefined });
    for (const key of [undefined, KEY]) {
      expect((await api(server, { key })).status).toBe(404);
      expect((await api(server, { key, body: { enabled: true, dropRate: 1 } })).status).toBe(404);
    }
  });

  it('refuses a missing or wrong key with 401 and changes nothing', async () => {
    const server = await startServer();
    for (const key of [undefined, '', 'wrong', `${KEY}x`, KEY.slice(0, -1), KEY.toUpperCase()]) {
      const res = await api(server, { key, body: { enabled: true, dropRate: 1 } });
      expect(res.status, String(key)).toBe(401);
      expect(await res.json()).toEqual({ ok: false, error: 'missing or wrong x-chaos-key header' });
      expect((await api(server, { key, path: '/api/chaos/anything' })).status).toBe(401);
    }
    const status = (await (await api(server)).json()) as ChaosStatus;
    expect(status.config.enabled).toBe(false);
  });

  it('with the key: GET reads, POST replaces the config, and unknown paths and methods are refused', async () => {
    const server = await startServer();
    expect(await (await api(server)).json()).toEqual({
      config: { enabled: false, disconnectRate: 0, dropRate: 0, minLatencyMs: 0, maxLatencyMs: 0 },
      stats: { considered: 0, dropped: 0, delayed: 0, disconnected: 0 },
    });
    const set = await setChaos(server, { enabled: true, dropRate: 0.25, includeRooms: ['exp-*'] });
    expect(set.config).toEqual({ enabled: true, disconnectRate: 0, dropRate: 0.25, minLatencyMs: 0, maxLatencyMs: 0, includeRooms: ['exp-*'] });
    // A POST replaces the whole config: what it leaves out is back to its default.
    expect((await setChaos(server, { enabled: false })).config).toEqual({ enabled: false, disconnectRate: 0, dropRate: 0, minLatencyMs: 0, maxLatencyMs: 0 });
    expect((await api(server, { method: 'DELETE' })).status).toBe(405);
    expect((await api(server, { path: '/api/chaos/other' })).status).toBe(404);
  });

  it('refuses a bad config with 400 and a message naming the field', async () => {
    const server = await startServer();
    const cases: Array<[unknown, string]> = [
      ['{"enabled":', 'not valid JSON'],
      [[1], 'must be a JSON object'],
      [{ enabled: 'yes' }, 'enabled must be true or false'],
      [{ dropRate: 1.5 }, 'dropRate must be a number from 0 to 1, got 1.5'],
      [{ disconnectRate: -0.1 }, 'disconnectRate must be a number from 0 to 1'],
      [{ dropRate: '0.5' }, 'dropRate must be a number'],
      [{ minLatencyMs: 10.5 }, 'minLatencyMs must be a whole number of ms'],
      [{ maxLatencyMs: 600_000 }, 'maxLatencyMs must be a whole number of ms from 0 to 60000'],
      [{ minLatencyMs: 50, maxLatencyMs: 10 }, 'minLatencyMs (50) must not exceed maxLatencyMs (10)'],
      [{ includeRooms: 'r*' }, 'includeRooms must be an array'],
      [{ excludeRooms: ['ok', '../etc'] }, 'excludeRooms[1] must be a room pattern'],
      [{ droprate: 0.5 }, 'droprate is not a chaos setting'],
      ['{"__proto__":{"enabled":true}}', '__proto__ is not a chaos setting'],
    ];
    for (const [body, message] of cases) {
      const res = await api(server, { body: typeof body === 'string' ? body : JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const reply = (await res.json()) as { ok: boolean; error: string };
      expect(reply.ok).toBe(false);
      expect(reply.error).toMatch(/^ERR_CHAOS_CONFIG: /);
      expect(reply.error).toContain(message);
    }
    expect((await api(server, { body: 'x'.repeat(20_000) })).status).toBe(413);
    expect(((await (await api(server)).json()) as ChaosStatus).config.enabled).toBe(false);
  });
});

describe('chaos applied to relayed signals', () => {
  it('drops roughly dropRate of them, and only in the rooms it applies to', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server, 'exp-1');
    const [carol, dave] = await pair(server, 'control');
    const status = await setChaos(server, { enabled: true, dropRate: 0.3, includeRooms: ['exp-*'] });
    expect(status.stats.dropped).toBe(0);

    const n = 1_000;
    const delivered = await relay(alice, bob, n);
    // Binomial(1000, 0.7): mean 700, sd ≈ 14.5; ±100 is ~7 sd, so this never flakes.
    expect(delivered.length).toBeGreaterThan(600);
    expect(delivered.length).toBeLessThan(800);
    // Kept in order, nothing duplicated.
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    const stats = ((await (await api(server)).json()) as ChaosStatus).stats;
    expect(stats).toMatchObject({ considered: n, dropped: n - delivered.length, disconnected: 0 });

    // The room outside includeRooms is untouched.
    const controlDelivered = await relay(carol, dave, 200);
    expect(controlDelivered).toHaveLength(200);
    // Neither sender heard of a drop: chaos is silent by design.
    expect(alice.history.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('adds latency within [min, max] without reordering, and excludeRooms wins', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server, 'slow');
    const [carol, dave] = await pair(server, 'fast');
    await setChaos(server, { enabled: true, minLatencyMs: 150, maxLatencyMs: 250, excludeRooms: ['fast'] });

    const sentAt = Date.now();
    for (let i = 0; i < 20; i++) alice.send({ type: 'signal', to: 'bob', data: { i } });
    carol.send({ type: 'signal', to: 'bob', data: 'quick' }); // pair() names every pair alice and bob
    await dave.next('signal');
    const fastMs = Date.now() - sentAt;
    const arrivals: number[] = [];
    const order: number[] = [];
    for (let i = 0; i < 20; i++) {
      const msg = await bob.next('signal');
      arrivals.push(Date.now() - sentAt);
      order.push((msg.data as { i: number }).i);
    }
    expect(fastMs).toBeLessThan(150);
    expect(Math.min(...arrivals)).toBeGreaterThanOrEqual(145); // timers may fire a ms or two early
    expect(Math.max(...arrivals)).toBeLessThan(250 + 500); // the max, plus slack for a loaded machine
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(((await (await api(server)).json()) as ChaosStatus).stats).toMatchObject({ considered: 20, delayed: 20 });
  });

  it('cuts the sender at disconnectRate, the peer hears it left, and heal (enabled:false) restores relaying', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server, 'cut');
    await setChaos(server, { enabled: true, disconnectRate: 1 });
    alice.send({ type: 'signal', to: 'bob', data: 'never arrives' });
    expect((await alice.closed).code).toBe(1006);
    expect(await bob.next('peer-left')).toEqual({ type: 'peer-left', peerId: 'alice', reason: 'disconnected' });

    await setChaos(server, { enabled: false });
    const alice2 = await SignalingTestClient.open(server.url);
    clients.push(alice2);
    expect((await alice2.join('cut', 'alice', TOKEN)).rejoined).toBe(true);
    alice2.send({ type: 'signal', to: 'bob', data: 'back' });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: 'alice', data: 'back' });
    expect(bob.history.filter((m) => m.type === 'signal')).toHaveLength(1);
  });

  it('can start enabled from the server options (the config file’s `chaos`)', async () => {
    const checked = validateChaosConfig({ enabled: true, dropRate: 1 });
    if (!checked.ok) throw new Error(checked.error);
    const server = await startServer({ chaos: checked.config });
    const [alice, bob] = await pair(server, 'r');
    expect(await relay(alice, bob, 10)).toEqual([]);
  });
});
