import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';

import { MAX_FRAME_BYTES, type ServerMessage } from '../../signaling/protocol.js';
import { createSignalingServer, HARD_CAP_SLACK_BYTES, type SignalingServer, type SignalingServerOptions } from '../../signaling/server.js';

/** Generous for a local socket, short enough that a missing message fails the test quickly. */
const MESSAGE_TIMEOUT_MS = 2_000;
/** Small enough that a dead peer is noticed in a fraction of a second. */
const FAST_HEARTBEAT_MS = 50;
/** Every room in these tests shares one token; sec-2-room-tokens.test.ts covers the token rules. */
const TOKEN = 'test-token';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** A real ws client that queues what the server says, so tests can wait for one message type. */
class TestClient {
  readonly received: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private wake: () => void = () => {};

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as ServerMessage);
      this.wake();
    });
    // Errors (refused connection, reset) also surface as a close, which tests check.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(url: string, opts?: ClientOptions): Promise<TestClient> {
    const client = new TestClient(new WebSocket(url, opts));
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  send(msg: object | string): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Takes the first queued message of `type`, waiting for it if need be. */
  async next<T extends ServerMessage['type']>(type: T): Promise<Of<T>> {
    const deadline = Date.now() + MESSAGE_TIMEOUT_MS;
    for (;;) {
      const i = this.received.findIndex((m) => m.type === type);
      if (i !== -1) return this.received.splice(i, 1)[0] as Of<T>;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${type}' within ${MESSAGE_TIMEOUT_MS} ms; got ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** A ping round trip: proves the socket is open and everything sent before it has arrived. */
  async roundTrip(id: number): Promise<void> {
    this.send({ type: 'ping', id });
    expect(await this.next('pong')).toEqual({ type: 'pong', id });
  }

  async join(room: string, peerId: string, token = TOKEN): Promise<Of<'welcome'>> {
    this.send({ type: 'join', room, peerId, token });
    return this.next('welcome');
  }
}

const clients: TestClient[] = [];
const servers: SignalingServer[] = [];

async function startServer(opts: Partial<SignalingServerOptions> = {}): Promise<SignalingServer> {
  const server = await createSignalingServer({ host: '127.0.0.1', port: 0, ...opts });
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('signaling server: rooms and relay', () => {
  it('welcomes a joining peer and tells the others', async () => {
    const server = await startServer();
    const alice = await TestClient.open(server.url);
    expect(await alice.join('room1', 'alice')).toEqual({ type: 'welcome', room: 'room1', peerId: 'alice', peers: [], rejoined: false });
    const bob = await TestClient.open(server.url);
    expect(await bob.join('room1', 'bob')).toEqual({ type: 'welcome', room: 'room1', peerId: 'bob', peers: ['alice'], rejoined: false });
    expect(await alice.next('peer-joined')).toEqual({ type: 'peer-joined', peerId: 'bob', rejoined: false });
  });

  it('relays signals both ways with the sender id and the data untouched', async () => {
    const server = await startServer();
    const alice = await TestClient.open(server.url);
    const bob = await TestClient.open(server.url);
    await alice.join('r', 'alice');
    await bob.join('r', 'bob');
    const offer = { type: 'offer', sdp: 'v=0\r\n', nested: [1, null, { ok: true }] };
    alice.send({ type: 'signal', to: 'bob', data: offer });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: 'alice', data: offer });
    bob.send({ type: 'signal', to: 'alice', data: 'answer' });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: 'bob', data: 'answer' });
  });

  it('replaces the old socket when a peer id joins again, and reports a rejoin', async () => {
    const server = await startServer();
    const alice1 = await TestClient.open(server.url);
    const bob = await TestClient.open(server.url);
    await alice1.join('r', 'alice');
    await bob.join('r', 'bob');
    await alice1.next('peer-joined');

    const alice2 = await TestClient.open(server.url);
    expect(await alice2.join('r', 'alice')).toEqual({ type: 'welcome', room: 'r', peerId: 'alice', peers: ['bob'], rejoined: true });
    expect(await alice1.closed).toEqual({ code: 4000, reason: 'replaced' });
    expect(await bob.next('peer-joined')).toEqual({ type: 'peer-joined', peerId: 'alice', rejoined: true });

    // The replaced socket's close is not news: bob must not hear that alice left.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await bob.roundTrip(1);
    expect(bob.received.filter((m) => m.type === 'peer-left')).toEqual([]);
    bob.send({ type: 'signal', to: 'alice', data: 'to the new socket' });
    expect(await alice2.next('signal')).toEqual({ type: 'signal', from: 'bob', data: 'to the new socket' });
  });

  it('reports a rejoin after the server saw the disconnect, but not after a deliberate leave', async () => {
    const server = await startServer();
    const alice = await TestClient.open(server.url);
    const bob = await TestClient.open(server.url);
    await alice.join('r', 'alice');
    await bob.join('r', 'bob');

    alice.ws.close();
    expect(await bob.next('peer-left')).toEqual({ type: 'peer-left', peerId: 'alice', reason: 'disconnected' });
    const alice2 = await TestClient.open(server.url);
    expect((await alice2.join('r', 'alice')).rejoined).toBe(true);
    expect(await bob.next('peer-joined')).toEqual({ type: 'peer-joined', peerId: 'alice', rejoined: true });

    alice2.send({ type: 'leave' });
    expect(await bob.next('peer-left')).toEqual({ type: 'peer-left', peerId: 'alice', reason: 'left' });
    alice2.send({ type: 'signal', to: 'bob', data: 1 });
    expect(await alice2.next('error')).toMatchObject({ code: 'ERR_NOT_IN_ROOM', inReplyTo: 'signal' });
    // The socket stays usable after leave: it may join again, as a fresh peer.
    expect((await alice2.join('r', 'alice')).rejoined).toBe(false);
  });

  it('refuses a third peer id with ERR_ROOM_FULL and keeps its socket open', async () => {
    const server = await startServer();
    const alice = await TestClient.open(server.url);
    const bob = await TestClient.open(server.url);
    const carol = await TestClient.open(server.url);
    await alice.join('r', 'alice');
    await bob.join('r', 'bob');
    carol.send({ type: 'join', room: 'r', peerId: 'carol', token: TOKEN });
    expect(await carol.next('error')).toMatchObject({ type: 'error', code: 'ERR_ROOM_FULL', inReplyTo: 'join' });
    await carol.roundTrip(1);
    expect((await carol.join('elsewhere', 'carol')).peers).toEqual([]);
  });

  it('answers signal before join, to an unknown peer, to oneself, and a second join with errors', async () => {
    const server = await startServer();
    const alice = await TestClient.open(server.url);
    alice.send({ type: 'signal', to: 'bob', data: {} });
    expect(await alice.next('error')).toMatchObject({ code: 'ERR_NOT_IN_ROOM', inReplyTo: 'signal' });
    alice.send({ type: 'leave' });
    expect(await alice.next('error')).toMatchObject({ code: 'ERR_NOT_IN_ROOM', inReplyTo: 'leave' });
    await alice.join('r', 'alice');
    alice.send({ type: 'signal', to: 'bob', data: {} });
    expect(await alice.next('error')).toMatchObject({ code: 'ERR_UNKNOWN_PEER', inReplyTo: 'signal' });
    alice.send({ type: 'signal', to: 'alice', data: {} });
    expect(await alice.next('error')).toMatchObject({ code: 'ERR_BAD_MESSAGE', inReplyTo: 'signal' });
    alice.send({ type: 'join', room: 'other', peerId: 'alice', token: TOKEN });
    expect(await alice.next('error')).toMatchObject({ code: 'ERR_ALREADY_IN_ROOM', inReplyTo: 'join' });
  });
});

describe('signaling server: hostile and broken frames', () => {
  it('answers each bad frame with an error and keeps the socket open', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    const cases: Array<[string, string]> = [
      ['{"type":"join",', 'ERR_BAD_JSON'],
      ['{"type":"offer"}', 'ERR_UNKNOWN_TYPE'],
      ['{"type":"join","room":"r"}', 'ERR_BAD_MESSAGE'],
      ['{"type":"signal","to":"bob"}', 'ERR_BAD_MESSAGE'],
      ['[1,2,3]', 'ERR_BAD_MESSAGE'],
      ['x'.repeat(MAX_FRAME_BYTES + 1), 'ERR_FRAME_TOO_LARGE'],
    ];
    for (const [frame, code] of cases) {
      client.send(frame);
      expect((await client.next('error')).code, frame.slice(0, 40)).toBe(code);
    }
    client.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    expect((await client.next('error')).code).toBe('ERR_BINARY_FRAME');
    await client.roundTrip(1);
  });

  it('accepts a frame of exactly MAX_FRAME_BYTES and cuts one past the hard cap with 1009', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    const head = '{"type":"ping","id":5,"pad":"';
    const exact = `${head}${'x'.repeat(MAX_FRAME_BYTES - head.length - 2)}"}`;
    expect(Buffer.byteLength(exact)).toBe(MAX_FRAME_BYTES);
    client.send(exact);
    expect(await client.next('pong')).toEqual({ type: 'pong', id: 5 });

    client.send('x'.repeat(MAX_FRAME_BYTES + HARD_CAP_SLACK_BYTES + 1));
    expect((await client.closed).code).toBe(1009);
    const other = await TestClient.open(server.url);
    await other.roundTrip(2); // the server itself is unharmed
  });

  it('closes a text frame that is not UTF-8 (1007) and stays up', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await client.closed).code).toBe(1007);
    await (await TestClient.open(server.url)).roundTrip(1);
  });

  it('refuses __proto__ and constructor payloads without polluting Object.prototype', async () => {
    const server = await startServer();
    const alice = await TestClient.open(server.url);
    const bob = await TestClient.open(server.url);
    alice.send('{"type":"join","room":"r","peerId":"alice","__proto__":{"polluted":"yes","isAdmin":true}}');
    expect(await alice.next('error')).toMatchObject({ code: 'ERR_BAD_MESSAGE', inReplyTo: 'join' });
    alice.send('{"type":"ping","constructor":{"prototype":{"polluted":"yes"}}}');
    expect(await alice.next('error')).toMatchObject({ code: 'ERR_BAD_MESSAGE', inReplyTo: 'ping' });

    // Nested in `data` it is opaque: relayed as JSON, never merged into anything.
    await alice.join('r', 'alice');
    await bob.join('r', 'bob');
    alice.send('{"type":"signal","to":"bob","data":{"__proto__":{"polluted":"yes"},"sdp":"v=0"}}');
    const relayed = await bob.next('signal');
    expect((relayed.data as { sdp: string }).sdp).toBe('v=0');

    // The server runs in this process, so this is the server's Object.prototype too.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('survives a burst of odd frames', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    const junk = ['null', '42', '"str"', '{}', '{"type":null}', '{"type":"ping","id":"x"}', '{"type":"ping","id":1e400}', '{"type":"join","room":"../x","peerId":"a"}', '\u0000', ' '];
    for (const frame of junk) client.send(frame);
    await client.roundTrip(99);
    expect(client.received.filter((m) => m.type === 'error')).toHaveLength(junk.length);
  });
});

describe('signaling server: health, heartbeats, shutdown', () => {
  it('serves /healthz with room and peer counts, and 404 elsewhere', async () => {
    const server = await startServer();
    const alice = await TestClient.open(server.url);
    await alice.join('r', 'alice');
    const res = await fetch(`${server.httpUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, rooms: 1, peers: 1 });
    expect(typeof body.uptimeMs).toBe('number');
    expect((await fetch(`${server.httpUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${server.httpUrl}/healthz`, { method: 'POST' })).status).toBe(405);
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`);
  });

  it('drops a peer that stops answering pings and reports it as a timeout', async () => {
    const server = await startServer({ heartbeatIntervalMs: FAST_HEARTBEAT_MS });
    const alice = await TestClient.open(server.url);
    const deadBob = await TestClient.open(server.url, { autoPong: false });
    await alice.join('r', 'alice');
    await deadBob.join('r', 'bob');
    expect(await alice.next('peer-left')).toEqual({ type: 'peer-left', peerId: 'bob', reason: 'timeout' });
    expect((await deadBob.closed).code).toBe(1006); // cut, not closed politely

    // A peer that does answer outlives many heartbeats.
    await new Promise((resolve) => setTimeout(resolve, FAST_HEARTBEAT_MS * 6));
    await alice.roundTrip(1);
    // And the timed-out id is remembered: its reconnect is a rejoin.
    const bob2 = await TestClient.open(server.url);
    expect((await bob2.join('r', 'bob')).rejoined).toBe(true);
  });

  it('shutdown sends going-away to everyone, closes with 1001 and stops listening', async () => {
    const server = await startServer();
    const alice = await TestClient.open(server.url);
    const bob = await TestClient.open(server.url);
    await alice.join('r', 'alice');
    await bob.join('r', 'bob');
    const unjoined = await TestClient.open(server.url);

    await server.shutdown('maintenance');
    for (const client of [alice, bob, unjoined]) {
      expect(await client.next('going-away')).toEqual({ type: 'going-away', reason: 'maintenance' });
      expect((await client.closed).code).toBe(1001);
      expect(client.received.filter((m) => m.type === 'peer-left')).toEqual([]);
    }
    await expect(TestClient.open(server.url)).rejects.toThrow(/ECONNREFUSED/);
    await server.shutdown('again'); // idempotent
    await server.close();
  });

  it('close() cuts every socket at once', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await client.closed).code).toBe(1006);
  });

  it('reports a taken port as ERR_PORT_IN_USE', async () => {
    const server = await startServer();
    await expect(createSignalingServer({ host: '127.0.0.1', port: server.port })).rejects.toMatchObject({
      code: 'ERR_PORT_IN_USE',
      message: `ERR_PORT_IN_USE: 127.0.0.1:${server.port} is in use; pick another --port`,
    });
  });
});
