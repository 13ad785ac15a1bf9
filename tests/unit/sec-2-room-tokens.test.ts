/**
 * SEC-2: joining a room without its token is refused. Real sockets against a real server.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { SignalingTestClient } from '../../harness/signaling-chaos-client.js';
import { digestSecret, secretMatches } from '../../signaling/secret.js';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.js';

const TOKEN = 'Zk3xQ9-rT_b2mW8vYc1LdA';
/** Long enough for a message that would come to arrive on loopback. */
const QUIET_MS = 100;

const clients: SignalingTestClient[] = [];
const servers: SignalingServer[] = [];

async function startServer(): Promise<SignalingServer> {
  const server = await createSignalingServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  return server;
}

async function open(server: SignalingServer): Promise<SignalingTestClient> {
  const client = await SignalingTestClient.open(server.url);
  clients.push(client);
  return client;
}

/** Sends a join and returns the error it must get. */
async function refusedJoin(client: SignalingTestClient, join: object): Promise<{ code: string; message: string }> {
  client.send({ type: 'join', ...join });
  return client.next('error', (m) => m.inReplyTo === 'join');
}

/** Proves `client` heard nothing about `what` while the server handled everything sent so far. */
async function heardNothing(client: SignalingTestClient, what: string[]): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
  await client.roundTrip(Math.floor(Math.random() * 1e9));
  expect(client.received.filter((m) => what.includes(m.type))).toEqual([]);
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('SEC-2: room join tokens', () => {
  it('the first join sets the token; a later join with another token is refused and not joined', async () => {
    const server = await startServer();
    const alice = await open(server);
    await alice.join('r', 'alice', TOKEN);

    const bob = await open(server);
    const refused = await refusedJoin(bob, { room: 'r', peerId: 'bob', token: 'guess' });
    expect(refused).toMatchObject({ code: 'ERR_UNAUTHORIZED' });
    expect(refused.message).toContain('wrong token for room r');
    // Not joined: it cannot signal, and alice never heard of it.
    bob.send({ type: 'signal', to: 'alice', data: 'hi' });
    expect(await bob.next('error')).toMatchObject({ code: 'ERR_NOT_IN_ROOM', inReplyTo: 'signal' });
    await heardNothing(alice, ['peer-joined', 'signal']);

    // The refusal does not burn the socket: with the right token it joins.
    expect(await bob.join('r', 'bob', TOKEN)).toMatchObject({ type: 'welcome', peers: ['alice'] });
    expect(await alice.next('peer-joined')).toEqual({ type: 'peer-joined', peerId: 'bob', rejoined: false });
  });

  it('refuses a join without a token, or with an empty one, as ERR_BAD_MESSAGE', async () => {
    const server = await startServer();
    const alice = await open(server);
    await alice.join('r', 'alice', TOKEN);
    const bob = await open(server);
    for (const join of [{ room: 'r', peerId: 'bob' }, { room: 'r', peerId: 'bob', token: '' }, { room: 'r', peerId: 'bob', token: null }]) {
      const refused = await refusedJoin(bob, join);
      expect(refused.code, JSON.stringify(join)).toBe('ERR_BAD_MESSAGE');
      expect(refused.message).toContain("'token' is required");
    }
    // Also for a room nobody has created yet: the token is part of the message's shape.
    expect((await refusedJoin(bob, { room: 'fresh', peerId: 'bob' })).code).toBe('ERR_BAD_MESSAGE');
    await heardNothing(alice, ['peer-joined']);
  });

  it('holds rejoins after a disconnect to the token, and a stranger cannot take a remembered id', async () => {
    const server = await startServer();
    const alice = await open(server);
    const bob = await open(server);
    await alice.join('r', 'alice', TOKEN);
    await bob.join('r', 'bob', TOKEN);

    alice.close();
    expect(await bob.next('peer-left')).toMatchObject({ peerId: 'alice', reason: 'disconnected' });
    const mallory = await open(server);
    expect((await refusedJoin(mallory, { room: 'r', peerId: 'alice', token: 'not-it' })).code).toBe('ERR_UNAUTHORIZED');
    await heardNothing(bob, ['peer-joined']);

    const alice2 = await open(server);
    expect(await alice2.join('r', 'alice', TOKEN)).toMatchObject({ rejoined: true, peers: ['bob'] });
    expect(await bob.next('peer-joined')).toEqual({ type: 'peer-joined', peerId: 'alice', rejoined: true });
  });

  it('does not let a wrong token replace a connected peer’s socket', async () => {
    const server = await startServer();
    const alice = await open(server);
    const bob = await open(server);
    await alice.join('r', 'alice', TOKEN);
    await bob.join('r', 'bob', TOKEN);
    const mallory = await open(server);
    expect((await refusedJoin(mallory, { room: 'r', peerId: 'alice', token: `${TOKEN}x` })).code).toBe('ERR_UNAUTHORIZED');
    // alice keeps her socket and still gets bob's signals.
    bob.send({ type: 'signal', to: 'alice', data: 'still you' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: 'bob', data: 'still you' });
    expect(alice.closeInfo).toBeUndefined();
  });

  it('keeps the token while a dropped peer is remembered, and forgets it once the room is empty and unremembered', async () => {
    const server = await startServer();
    const alice = await open(server);
    await alice.join('r', 'alice', TOKEN);
    alice.close(); // dropped, not left: remembered, so the room keeps its token
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    const mallory = await open(server);
    expect((await refusedJoin(mallory, { room: 'r', peerId: 'mallory', token: 'my-own-token' })).code).toBe('ERR_UNAUTHORIZED');

    // Everyone leaves on purpose: the room is deleted with its token, and anyone may create it anew.
    const carol = await open(server);
    const dave = await open(server);
    await carol.join('s', 'carol', TOKEN);
    await dave.join('s', 'dave', TOKEN);
    carol.send({ type: 'leave' });
    dave.send({ type: 'leave' });
    await carol.roundTrip(1);
    await dave.roundTrip(2);
    const erin = await open(server);
    expect(await erin.join('s', 'erin', 'a-new-token')).toMatchObject({ peers: [], rejoined: false });
  });

  it('compares secrets by digest: any length, no throw, no early exit on length', () => {
    const stored = digestSecret(TOKEN);
    expect(secretMatches(stored, TOKEN)).toBe(true);
    for (const guess of ['', 'Z', TOKEN.slice(0, -1), `${TOKEN} `, 'x'.repeat(100_000)]) expect(secretMatches(stored, guess)).toBe(false);
  });
});
