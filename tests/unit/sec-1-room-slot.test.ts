import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';

import { SignalingClient, type SignalingEvents, type SignalingStatus } from '../../app-under-test/net/signaling-client.js';
import { SignalingTestClient } from '../../harness/signaling-chaos-client.js';
import { CLOSE_CODES } from '../../signaling/protocol.js';
import { RoomRegistry } from '../../signaling/rooms.js';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.js';

/**
 * SEC-1, the room slot: an intruder with the room link but not its session key joins while the
 * receiver is away. The sender refuses it (peer auth, sec-1-peer-auth.test.ts), and must then be
 * able to free the slot, or the real receiver can never come back. Real ws server, and the app's
 * own SignalingClient for the sender, the intruder and the receiver.
 */

const ROOM = 'room-sec1';
const TOKEN = 'room-token-from-the-link';
/** Generous for loopback on a loaded machine; a missing state fails within it. */
const STATE_TIMEOUT_MS = 10_000;

/** A SignalingClient as the app runs it, with every status and event recorded. */
class AppClient {
  readonly statuses: SignalingStatus[] = [];
  readonly joined: string[] = [];
  readonly left: string[] = [];
  readonly errors: string[] = [];
  readonly client: SignalingClient;
  private waiters = new Set<() => void>();

  constructor(url: string, peerId: string) {
    const on: SignalingEvents = {
      status: (s) => this.record(() => this.statuses.push(s)),
      peerJoined: (p) => this.record(() => this.joined.push(p)),
      peerLeft: (p) => this.record(() => this.left.push(p)),
      signal: () => {},
      error: (code) => this.record(() => this.errors.push(code)),
    };
    this.client = new SignalingClient(url, ROOM, peerId, TOKEN, on);
    appClients.push(this.client);
    this.client.start();
  }

  get state(): SignalingStatus['state'] | undefined {
    return this.statuses.at(-1)?.state;
  }

  /** Waits until `check` holds, failing with what was seen when the deadline passes. */
  async until(what: string, check: () => boolean): Promise<void> {
    const deadline = Date.now() + STATE_TIMEOUT_MS;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.client.peerId}: no ${what} within ${STATE_TIMEOUT_MS} ms; statuses ${JSON.stringify(this.statuses)}, errors ${JSON.stringify(this.errors)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private record(fn: () => void): void {
    fn();
    for (const w of this.waiters) w();
    this.waiters.clear();
  }
}

const appClients: SignalingClient[] = [];
const testClients: SignalingTestClient[] = [];
let server: SignalingServer | undefined;

beforeAll(() => {
  // The app's client is browser code: give it the browser globals it uses (fetch is Node's own).
  vi.stubGlobal('WebSocket', WebSocket);
  const window = new EventTarget();
  vi.stubGlobal('addEventListener', window.addEventListener.bind(window));
  vi.stubGlobal('removeEventListener', window.removeEventListener.bind(window));
});

afterEach(async () => {
  for (const c of appClients.splice(0)) c.close();
  for (const c of testClients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
});

async function rawClient(url: string): Promise<SignalingTestClient> {
  const c = await SignalingTestClient.open(url);
  testClients.push(c);
  return c;
}

describe('SEC-1: a refused intruder loses its room slot', () => {
  it('the sender kicks the intruder; the intruder stays out and the real receiver rejoins', async () => {
    server = await createSignalingServer({ host: '127.0.0.1', port: 0 });
    const sender = new AppClient(server.url, 'sender-1');
    await sender.until('join', () => sender.state === 'joined');
    // The receiver was here (so the room remembers it), then went away without a word.
    const away = await rawClient(server.url);
    await away.join(ROOM, 'receiver-1', TOKEN);
    away.ws.terminate();
    await sender.until('receiver departure', () => sender.left.includes('receiver-1'));

    const intruder = new AppClient(server.url, 'intruder-1');
    await intruder.until('join', () => intruder.state === 'joined');
    await sender.until('intruder arrival', () => sender.joined.includes('intruder-1'));

    // The real receiver comes back: the intruder holds the second place, so it waits.
    const receiver = new AppClient(server.url, 'receiver-1');
    await receiver.until('a room-full refusal', () => receiver.statuses.some((s) => s.state === 'room-full'));
    expect(receiver.client.isJoined).toBe(false);

    // The intruder cannot evict the sender, which was in the room first.
    intruder.client.kick('sender-1');
    await intruder.until('a refused kick', () => intruder.errors.includes('ERR_FORBIDDEN'));

    // The sender refused the intruder's proof (peer auth) and takes its slot.
    sender.client.kick('intruder-1');
    await intruder.until('the kick', () => intruder.state === 'kicked');
    expect(intruder.statuses.at(-1)).toEqual({ state: 'kicked', by: 'sender-1' });
    await sender.until('the intruder leaving', () => sender.left.includes('intruder-1'));

    // The receiver's next try gets in, as a rejoin (its id was remembered, the intruder's is not).
    await receiver.until('rejoin', () => receiver.state === 'joined');
    await sender.until('receiver arrival', () => sender.joined.includes('receiver-1'));
    expect(receiver.client.isJoined).toBe(true);
    const health = (await (await fetch(`${server.httpUrl}/healthz`)).json()) as { peers: number };
    expect(health.peers, 'sender and receiver hold the room; the intruder holds nothing').toBe(2);

    // The kicked client does not come back by itself: the room stays the sender's and receiver's.
    const probe = await rawClient(server.url);
    probe.send({ type: 'join', room: ROOM, peerId: 'late-stranger', token: TOKEN });
    expect(await probe.next('error')).toMatchObject({ code: 'ERR_ROOM_FULL' });
    expect(intruder.client.isJoined).toBe(false);
    expect(intruder.statuses.filter((s) => s.state === 'connecting'), 'the intruder reconnected after the kick').toHaveLength(1);
  });

  it('the kicked socket hears why and is closed with 4003; others hear peer-left "kicked"', async () => {
    server = await createSignalingServer({ host: '127.0.0.1', port: 0 });
    const sender = await rawClient(server.url);
    const intruder = await rawClient(server.url);
    await sender.join(ROOM, 'sender-1', TOKEN);
    await intruder.join(ROOM, 'intruder-1', TOKEN);
    sender.send({ type: 'kick', peerId: 'sender-1' });
    expect(await sender.next('error')).toMatchObject({ code: 'ERR_BAD_MESSAGE', inReplyTo: 'kick' });
    sender.send({ type: 'kick', peerId: 'nobody' });
    expect(await sender.next('error')).toMatchObject({ code: 'ERR_UNKNOWN_PEER', inReplyTo: 'kick' });
    sender.send({ type: 'kick', peerId: 'intruder-1' });
    expect(await intruder.next('kicked')).toEqual({ type: 'kicked', room: ROOM, by: 'sender-1' });
    expect(await intruder.closed).toEqual({ code: CLOSE_CODES.KICKED, reason: 'kicked by sender-1' });
    expect(await sender.next('peer-left')).toEqual({ type: 'peer-left', peerId: 'intruder-1', reason: 'kicked' });
    const outsider = await rawClient(server.url);
    outsider.send({ type: 'kick', peerId: 'sender-1' });
    expect(await outsider.next('error')).toMatchObject({ code: 'ERR_NOT_IN_ROOM', inReplyTo: 'kick' });
  });
});

describe('RoomRegistry.kick: only a senior peer may kick', () => {
  it('ranks by entry into the room, kept while a peer is remembered, lost when it is kicked or leaves', () => {
    const rooms = new RoomRegistry<string>();
    rooms.join('r', 'sender', TOKEN, 's1');
    rooms.join('r', 'receiver', TOKEN, 'r1');
    rooms.leave('r', 'receiver', 'r1', { remember: true });
    rooms.leave('r', 'sender', 's1', { remember: true }); // both blip off
    rooms.join('r', 'intruder', TOKEN, 'i1');
    rooms.join('r', 'sender', TOKEN, 's2'); // the sender is back: it still ranks first
    expect(rooms.kick('r', 'intruder', 'sender')).toEqual({ ok: false, reason: 'not-senior' });
    expect(rooms.kick('r', 'sender', 'intruder')).toEqual({ ok: true, kicked: 'i1' });
    expect(rooms.peer('r', 'intruder')).toBeUndefined();
    expect(rooms.kick('r', 'sender', 'intruder')).toEqual({ ok: false, reason: 'unknown-peer' });
    // The kicked id was not remembered: back, it is no rejoin, and it ranks last again.
    expect(rooms.join('r', 'intruder', TOKEN, 'i2')).toMatchObject({ ok: true, rejoined: false });
    expect(rooms.kick('r', 'intruder', 'sender')).toEqual({ ok: false, reason: 'not-senior' });
    expect(rooms.leave('r', 'intruder', 'i2', { remember: false })).toEqual(['s2']);
    // The receiver was remembered through all this, so its rank held: it outranks a newcomer.
    expect(rooms.join('r', 'receiver', TOKEN, 'r2')).toMatchObject({ ok: true, rejoined: true });
    expect(rooms.kick('r', 'receiver', 'sender')).toEqual({ ok: false, reason: 'not-senior' });
    expect(rooms.peerCount).toBe(2);
  });
});
