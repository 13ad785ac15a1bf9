/**
 * Per-connection rate and size limits, and the server-wide bounds (limits.ts), over real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { SignalingTestClient } from '../../harness/signaling-chaos-client.js';
import { DEFAULT_LIMITS, type SignalingLimits } from '../../signaling/limits.js';
import { CLOSE_CODES } from '../../signaling/protocol.js';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.js';
import { TokenBucket } from '../../signaling/rate-limit.js';

const TOKEN = 'limits-test-token';
const clients: SignalingTestClient[] = [];
const servers: SignalingServer[] = [];

async function startServer(limits: Partial<SignalingLimits> = {}): Promise<SignalingServer> {
  const server = await createSignalingServer({ host: '127.0.0.1', port: 0, limits });
  servers.push(server);
  return server;
}

async function open(server: SignalingServer): Promise<SignalingTestClient> {
  const client = await SignalingTestClient.open(server.url);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('rate limits per socket', () => {
  it('lets a trickle-ICE burst (offer + 40 candidates) through untouched at the defaults', async () => {
    const server = await startServer();
    const alice = await open(server);
    const bob = await open(server);
    await alice.join('r', 'alice', TOKEN);
    await bob.join('r', 'bob', TOKEN);
    alice.send({ type: 'signal', to: 'bob', data: { type: 'offer', sdp: 'v=0' } });
    for (let i = 0; i < 40; i++) alice.send({ type: 'signal', to: 'bob', data: { candidate: `candidate:${i} 1 udp 2122260223 10.0.0.1 5${i} typ host` } });
    await alice.roundTrip(1);
    for (let i = 0; i < 41; i++) await bob.next('signal');
    expect(alice.history.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('answers a flood with ERR_RATE_LIMITED, then closes it with 1008, and other sockets do not notice', async () => {
    const server = await startServer();
    const flooder = await open(server);
    const bystander = await open(server);
    const frames = 2 * (DEFAULT_LIMITS.messageBurst + DEFAULT_LIMITS.rateLimitStrikes);
    for (let i = 0; i < frames; i++) flooder.send({ type: 'ping', id: i });
    expect(await flooder.closed).toMatchObject({ code: CLOSE_CODES.RATE_LIMITED, reason: 'rate limit exceeded' });

    const pongs = flooder.history.filter((m) => m.type === 'pong').length;
    const limited = flooder.history.filter((m) => m.type === 'error' && m.code === 'ERR_RATE_LIMITED');
    // The burst, plus whatever refilled while the flood was read (50/s: a token or two).
    expect(pongs).toBeGreaterThanOrEqual(DEFAULT_LIMITS.messageBurst);
    expect(pongs).toBeLessThan(DEFAULT_LIMITS.messageBurst + 10);
    // One error per refused frame up to the strike limit, the last one saying why it closes; then nothing.
    expect(limited).toHaveLength(DEFAULT_LIMITS.rateLimitStrikes + 1);
    expect(limited.every((m) => m.type === 'error' && (m.retryAfterMs ?? 0) > 0)).toBe(true);
    expect(limited.at(-1)).toMatchObject({ message: expect.stringContaining('closing') as unknown });
    await bystander.roundTrip(1);
  });

  it('refuses frames a little over the rate without closing, and accepts again after retryAfterMs', async () => {
    const server = await startServer({ messagesPerSecond: 20, messageBurst: 5 });
    const client = await open(server);
    for (let i = 0; i < 8; i++) client.send({ type: 'ping', id: i });
    const error = await client.next('error');
    expect(error).toMatchObject({ code: 'ERR_RATE_LIMITED' });
    await new Promise((resolve) => setTimeout(resolve, (error.retryAfterMs ?? 0) + 10));
    await client.roundTrip(100);
    expect(client.history.filter((m) => m.type === 'pong').length).toBeGreaterThanOrEqual(6);
    expect(client.closeInfo).toBeUndefined();
  });

  it('counts ws-level pings too', async () => {
    const server = await startServer({ messagesPerSecond: 10, messageBurst: 5, rateLimitStrikes: 5 });
    const client = await open(server);
    for (let i = 0; i < 50; i++) client.ws.ping();
    expect((await client.closed).code).toBe(CLOSE_CODES.RATE_LIMITED);
    expect(client.history.some((m) => m.type === 'error' && m.code === 'ERR_RATE_LIMITED')).toBe(true);
  });
});

describe('join floods', () => {
  it('bounds join/leave cycling on one socket', async () => {
    const server = await startServer({ joinsPerSecondPerSocket: 1, joinBurstPerSocket: 3 });
    const client = await open(server);
    for (let i = 0; i < 6; i++) {
      client.send({ type: 'join', room: `r${i}`, peerId: 'p', token: TOKEN });
      client.send({ type: 'leave' });
    }
    await client.roundTrip(1);
    expect(client.history.filter((m) => m.type === 'welcome')).toHaveLength(3);
    const refused = client.history.filter((m) => m.type === 'error' && m.inReplyTo === 'join');
    expect(refused).toHaveLength(3);
    expect(refused.every((m) => m.type === 'error' && m.code === 'ERR_RATE_LIMITED')).toBe(true);
  });

  it('bounds joins from one IP over all its sockets, and a patient client gets in', async () => {
    const server = await startServer({ joinsPerSecondPerIp: 20, joinBurstPerIp: 4 });
    const sockets = await Promise.all(Array.from({ length: 6 }, () => open(server)));
    sockets.forEach((s, i) => s.send({ type: 'join', room: `room${i}`, peerId: 'p', token: TOKEN }));
    await Promise.all(sockets.map((s, i) => s.roundTrip(i)));
    const outcomes = sockets.map((s) => s.history.find((m) => m.type === 'welcome' || m.type === 'error'));
    expect(outcomes.filter((m) => m?.type === 'welcome')).toHaveLength(4);
    expect(outcomes.filter((m) => m?.type === 'error' && m.code === 'ERR_RATE_LIMITED')).toHaveLength(2);
    // join() waits retryAfterMs and tries again, as a well-behaved client does.
    const i = outcomes.findIndex((m) => m?.type === 'error');
    sockets[i]!.received.length = 0;
    expect((await sockets[i]!.join(`room${i}`, 'p', TOKEN)).type).toBe('welcome');
  });
});

describe('server-wide bounds', () => {
  it('refuses connections over the per-IP and total limits with ERR_SERVER_FULL and 1013', async () => {
    const perIp = await startServer({ maxConnectionsPerIp: 2 });
    const [a] = [await open(perIp), await open(perIp)];
    const third = await open(perIp);
    expect(await third.next('error')).toMatchObject({ code: 'ERR_SERVER_FULL', message: expect.stringContaining('127.0.0.1 holds its limit of 2') as unknown });
    expect((await third.closed).code).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
    a!.close();
    await a!.closed;
    await new Promise((resolve) => setTimeout(resolve, 50)); // the server's side of the close
    await (await open(perIp)).roundTrip(1);

    const total = await startServer({ maxConnections: 1 });
    await open(total);
    const second = await open(total);
    expect(await second.next('error')).toMatchObject({ code: 'ERR_SERVER_FULL', message: expect.stringContaining('limit of 1 connections') as unknown });
    expect((await second.closed).code).toBe(CLOSE_CODES.TRY_AGAIN_LATER);
  });

  it('refuses rooms and peers over the server-wide limits with ERR_SERVER_FULL', async () => {
    const server = await startServer({ maxRooms: 1, maxPeers: 2 });
    const [a, b, c] = [await open(server), await open(server), await open(server)];
    await a.join('one', 'a', TOKEN);
    c.send({ type: 'join', room: 'two', peerId: 'c', token: TOKEN });
    expect(await c.next('error')).toMatchObject({ code: 'ERR_SERVER_FULL', inReplyTo: 'join', message: expect.stringContaining('1 rooms') as unknown });
    await b.join('one', 'b', TOKEN);
    const healthz = (await (await fetch(`${server.httpUrl}/healthz`)).json()) as Record<string, unknown>;
    expect(healthz).toMatchObject({ ok: true, rooms: 1, peers: 2, connections: 3 });
    expect(healthz.rssBytes).toBeGreaterThan(0);
  });
});

describe('TokenBucket', () => {
  it('allows the burst, then the rate, and says when to retry', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    expect(bucket.retryAfterMs()).toBe(100);
    now += 100;
    expect(bucket.take()).toBe(true);
    expect(bucket.full).toBe(false);
    now += 10_000;
    expect(bucket.full).toBe(true);
  });
});
