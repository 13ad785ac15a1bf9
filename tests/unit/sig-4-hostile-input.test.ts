/**
 * SIG-4: malformed and hostile input, over real sockets, against the real server running as its
 * own process at its production defaults. After every batch: the process is up, /healthz answers,
 * a well-behaved pair in another room completes join + signal, and the server's RSS stays within
 * a loose bound. Every hostile frame must get an error frame or a close for abuse, never silence.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchSignaling, type SignalingProcess } from '../../harness/servers/signaling-process.js';
import { SignalingTestClient, type CloseInfo } from '../../harness/signaling-chaos-client.js';
import { DEFAULT_LIMITS } from '../../signaling/limits.js';
import { CLOSE_CODES, MAX_DATA_DEPTH, MAX_FRAME_BYTES, type ServerMessage } from '../../signaling/protocol.js';
import { HARD_CAP_SLACK_BYTES } from '../../signaling/server.js';
import { parseClientFrame } from '../../signaling/validate.js';

const SEED = 0x5eed_0004;
const MUTATED_FRAMES = 4_000;
/** Frames per socket: each is followed by a sentinel ping, and 2 × 40 stays inside the burst of 100. */
const FRAMES_PER_SOCKET = 40;
const SENTINEL_ID = 1_000_000_000;
const PARALLEL_SOCKETS = 8;
const RSS_BOUND_BYTES = 64 * 1024 * 1024;
const MiB = 1024 * 1024;
/** Closes that mean "closed for abuse": not UTF-8, over the rate limit, over the hard size cap. */
const ABUSE_CLOSES: number[] = [CLOSE_CODES.INVALID_UTF8, CLOSE_CODES.RATE_LIMITED, CLOSE_CODES.TOO_BIG];

interface Frame {
  data: string | Buffer;
  /** Sent as a binary frame (text otherwise, even for a Buffer: then it may be invalid UTF-8). */
  binary?: boolean;
  /** Sends it some other way (fragments); `data` is then only a label. */
  send?: (client: SignalingTestClient) => void;
}

interface Outcome {
  frame: Frame;
  replies: ServerMessage[];
  closed?: CloseInfo;
}

let sp: SignalingProcess;
let logDir: string;
let rssBaseline = 0;
let hostileInputs = 0;
let pairs = 0;
const rssLog: Array<{ after: string; rssMiB: number }> = [];
const errorCodes = new Map<string, number>();

/** mulberry32: a tiny seeded PRNG, so a failing mutation can be replayed from the seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Resident set of the server process (not ours), from /proc; falls back to what /healthz says. */
async function serverRss(): Promise<number> {
  try {
    const status = fs.readFileSync(`/proc/${sp.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (kb !== null) return Number(kb[1]) * 1024;
  } catch {
    // not Linux: ask the server
  }
  return ((await (await fetch(`${sp.httpUrl}/healthz`)).json()) as { rssBytes: number }).rssBytes;
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A pair that does everything right, in its own room, must be served as if nothing happened. */
async function wellBehavedPair(): Promise<void> {
  const room = `pair-${++pairs}`;
  const token = `pair-token-${pairs}-${Math.random().toString(36).slice(2)}`;
  const alice = await SignalingTestClient.open(sp.url);
  const bob = await SignalingTestClient.open(sp.url);
  try {
    // join() waits out ERR_RATE_LIMITED, which a join flood from this same IP may have left behind.
    await alice.join(room, 'alice', token, 15_000);
    expect((await bob.join(room, 'bob', token, 15_000)).peers).toEqual(['alice']);
    alice.send({ type: 'signal', to: 'bob', data: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(await bob.next('signal')).toEqual({ type: 'signal', from: 'alice', data: { type: 'offer', sdp: 'v=0\r\n' } });
    bob.send({ type: 'signal', to: 'alice', data: { type: 'answer', sdp: 'v=0\r\n' } });
    expect(await alice.next('signal')).toEqual({ type: 'signal', from: 'bob', data: { type: 'answer', sdp: 'v=0\r\n' } });
    expect([...alice.history, ...bob.history].filter((m) => m.type === 'error')).toEqual([]);
  } finally {
    alice.close();
    bob.close();
  }
}

async function checkServerAfter(batch: string): Promise<void> {
  expect(isAlive(sp.pid), `server process after ${batch}`).toBe(true);
  const res = await fetch(`${sp.httpUrl}/healthz`, { headers: { connection: 'close' } });
  expect(res.status, `/healthz after ${batch}`).toBe(200);
  await res.body?.cancel();
  await wellBehavedPair();
  const rss = await serverRss();
  rssLog.push({ after: batch, rssMiB: Math.round((rss / MiB) * 10) / 10 });
  expect(rss - rssBaseline, `server RSS growth after ${batch}`).toBeLessThan(RSS_BOUND_BYTES);
}

function sendFrame(client: SignalingTestClient, frame: Frame): void {
  if (frame.send !== undefined) frame.send(client);
  else if (frame.binary === true) client.ws.send(frame.data, { binary: true });
  else client.ws.send(frame.data, { binary: false });
}

/**
 * Sends each frame followed by a sentinel ping on the same socket: the server answers in order,
 * so what arrives between two sentinel pongs is the answer to the frame between them. A socket
 * the server closes marks the frame it was on; the rest go out again on a new socket.
 */
async function probeOnSockets(frames: Frame[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  while (next < frames.length) {
    const chunk = frames.slice(next);
    const client = await SignalingTestClient.open(sp.url);
    try {
      chunk.forEach((frame, k) => {
        sendFrame(client, frame);
        client.send({ type: 'ping', id: SENTINEL_ID + k });
      });
      const last = SENTINEL_ID + chunk.length - 1;
      const deadline = Date.now() + 15_000;
      while (client.closeInfo === undefined && !client.history.some((m) => m.type === 'pong' && m.id === last)) {
        if (Date.now() > deadline) throw new Error(`no answer to frames ${next}..${frames.length - 1} within 15 s`);
        await client.waitForActivity(500);
      }
      let k = 0;
      let replies: ServerMessage[] = [];
      for (const msg of client.history) {
        if (msg.type === 'pong' && msg.id === SENTINEL_ID + k) {
          outcomes.push({ frame: chunk[k]!, replies });
          replies = [];
          k++;
        } else {
          replies.push(msg);
        }
      }
      if (k < chunk.length) outcomes.push({ frame: chunk[k++]!, replies, closed: client.closeInfo! });
      next += k;
    } finally {
      client.close();
    }
  }
  return outcomes;
}

/**
 * Probes `frames`, `perSocket` to a socket, on up to PARALLEL_SOCKETS sockets at once (a socket
 * the server closes takes its close-handshake grace, ~1 s, to finish: do those side by side).
 */
async function probe(frames: Frame[], perSocket = FRAMES_PER_SOCKET): Promise<Outcome[]> {
  const groups: Frame[][] = [];
  for (let i = 0; i < frames.length; i += perSocket) groups.push(frames.slice(i, i + perSocket));
  const results: Outcome[][] = [];
  let nextGroup = 0;
  const worker = async (): Promise<void> => {
    while (nextGroup < groups.length) {
      const g = nextGroup++;
      results[g] = await probeOnSockets(groups[g]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SOCKETS, groups.length) }, worker));
  const outcomes = results.flat();
  expect(outcomes).toHaveLength(frames.length);
  hostileInputs += frames.length;
  for (const o of outcomes) for (const r of o.replies) if (r.type === 'error') errorCodes.set(r.code, (errorCodes.get(r.code) ?? 0) + 1);
  return outcomes;
}

function label(frame: Frame): string {
  const text = typeof frame.data === 'string' ? frame.data : `<${frame.data.byteLength} bytes>`;
  return JSON.stringify(text.slice(0, 80));
}

/** Never silence: every frame got at least one error, or its socket was closed for abuse. */
function expectErrorOrAbuseClose(outcomes: Outcome[]): void {
  for (const o of outcomes) {
    if (o.closed !== undefined) expect(ABUSE_CLOSES, `${label(o.frame)} closed with ${o.closed.code}`).toContain(o.closed.code);
    else expect(o.replies.some((r) => r.type === 'error'), `${label(o.frame)} → ${JSON.stringify(o.replies).slice(0, 200)}`).toBe(true);
  }
}

/** What the validator says about a frame, run here on the same input: the oracle for the server's answer. */
function localVerdict(frame: Frame): ReturnType<typeof parseClientFrame> {
  return parseClientFrame(frame.data, frame.binary === true, MAX_FRAME_BYTES);
}

function text(data: string): Frame {
  return { data };
}

beforeAll(async () => {
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sig-4-'));
  sp = await launchSignaling({ logPath: path.join(logDir, 'signaling.log') });
  await wellBehavedPair(); // warm up, so the baseline is not the cold-start footprint
  rssBaseline = await serverRss();
});

afterAll(async () => {
  const rssEnd = sp === undefined ? 0 : await serverRss().catch(() => 0);
  console.log(
    `SIG-4: ${hostileInputs} hostile inputs tried (seed 0x${SEED.toString(16)}); server RSS ${(rssBaseline / MiB).toFixed(1)} MiB → ${(rssEnd / MiB).toFixed(1)} MiB; ` +
      `error frames by code: ${JSON.stringify(Object.fromEntries([...errorCodes].sort()))}; RSS after each batch (MiB): ${JSON.stringify(rssLog)}`,
  );
  await sp?.stop();
  fs.rmSync(logDir, { recursive: true, force: true });
});

const JOIN = '{"type":"join","room":"fuzz-room","peerId":"mallory","token":"fuzz-token"}';
const SIGNAL = '{"type":"signal","to":"bob","data":{"type":"offer","sdp":"v=0\\r\\no=- 1 1 IN IP4 0.0.0.0\\r\\n"}}';
const CANDIDATE = '{"type":"signal","to":"bob","data":{"candidate":"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host","sdpMid":"0"}}';
const PING = '{"type":"ping","id":7}';
const LEAVE = '{"type":"leave"}';

describe('SIG-4: hostile input against the signaling server process', () => {
  it('truncated and invalid JSON, empty frames, control characters, non-objects: an error each', async () => {
    const frames: Frame[] = [];
    for (const valid of [JOIN, SIGNAL, PING, LEAVE]) for (let cut = 0; cut < valid.length; cut++) frames.push(text(valid.slice(0, cut)));
    const junk = [
      '', ' ', '\n', '\t\r\n', '\u0000', '\u0000\u0001\u0002\u001f', '\u007f', '\uFEFF{"type":"ping"}', '{"type":"ping"}\u0000', '{"type":"ping"}{"type":"ping"}',
      '{"type":"ping",}', "{'type':'ping'}", '{type:"ping"}', '{"type":"ping"', 'null', 'true', 'false', '0', '-1', '1e400', '"join"', '[]', '[{"type":"ping"}]', '{}',
      '{"type":null}', '{"type":{}}', '{"type":["ping"]}', '{"type":"ping","id":NaN}', '{"type":"ping","id":Infinity}', '{"type":"ping","id":"1"}', '{"type":"ping","id":1e400}',
      '{"type":"\u0000"}', '{"type":"ping\u0000"}', '{"type":"join","room":"r\\u0007","peerId":"p","token":"t"}', '{"type":"join","room":"r\\n","peerId":"p","token":"t"}',
      '{"type":"join","room":"r","peerId":"p\\u0000","token":"t"}', '{"type":"join","room":"r","peerId":"p","token":"t\\u0000"}', '{"type":"join","room":"r","peerId":"p","token":"a b"}',
      '\ud800', '{"type":"\ud800"}', '{"type":"join","room":"\udfff","peerId":"p","token":"t"}', '\\', '"', '{"a":"\\x41"}', '{"type":"ping"}//', '/*x*/{"type":"ping"}',
    ];
    frames.push(...junk.map(text));
    const outcomes = await probe(frames);
    expectErrorOrAbuseClose(outcomes);
    for (const o of outcomes) expect(o.replies.every((r) => r.type === 'error'), label(o.frame)).toBe(true);
    await checkServerAfter('malformed JSON');
  });

  it('binary frames get ERR_BINARY_FRAME; text frames that are not UTF-8 are closed (1007)', async () => {
    const rand = mulberry32(SEED + 1);
    const binary: Frame[] = [Buffer.from(PING), Buffer.alloc(0), Buffer.from([0, 1, 2, 255]), Buffer.alloc(60_000, 0x7b), Buffer.from(Array.from({ length: 512 }, () => Math.floor(rand() * 256)))].map((data) => ({ data, binary: true }));
    const badUtf8: Frame[] = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x7b, 0x22, 0xfe, 0x22, 0x7d], [0xf8, 0x88, 0x80, 0x80, 0x80]].map((bytes) => ({ data: Buffer.from(bytes) }));
    const outcomes = await probe([...binary, ...badUtf8], 1);
    expectErrorOrAbuseClose(outcomes);
    for (const o of outcomes.slice(0, binary.length)) expect(o.replies.map((r) => r.type === 'error' && r.code)).toEqual(['ERR_BINARY_FRAME']);
    for (const o of outcomes.slice(binary.length)) expect(o.closed?.code, label(o.frame)).toBe(CLOSE_CODES.INVALID_UTF8);
    await checkServerAfter('binary frames');
  });

  it('unknown or missing types, wrong field types, huge strings, path-like ids: ERR_UNKNOWN_TYPE / ERR_BAD_MESSAGE', async () => {
    const types = ['offer', 'JOIN', 'join ', ' join', '', 'x'.repeat(10_000), 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'error', 'welcome', 'signal\u0000'];
    const frames: Frame[] = types.map((type) => text(JSON.stringify({ type })));
    frames.push(text('{"room":"r","peerId":"p","token":"t"}'), text('{"TYPE":"ping"}'), text('{"type ":"ping"}'));
    const pathLike = ['../../etc/passwd', '..', '.', '/etc/passwd', '..\\..\\windows\\win.ini', '%2e%2e%2f', 'C:\\x', 'room/../x', 'file:///etc', '~root', 'a b', 'rööm', '\u202Eevil', '𝓻𝓸𝓸𝓶', 'r\u0000', 'r\n', '', 'a'.repeat(65), 'x'.repeat(60_000)];
    const wrongTypes: unknown[] = [null, 0, -1, 1.5, true, [], {}, ['r'], { $gt: '' }, ...pathLike];
    const idFrames: Frame[] = [];
    for (const bad of wrongTypes) {
      idFrames.push(text(JSON.stringify({ type: 'join', room: bad, peerId: 'p', token: 't' })));
      idFrames.push(text(JSON.stringify({ type: 'join', room: 'r', peerId: bad, token: 't' })));
      idFrames.push(text(JSON.stringify({ type: 'signal', to: bad, data: {} })));
    }
    for (const bad of [null, 0, true, [], {}, '', ' ', 'a b', 'x'.repeat(257), 'é', 't\u0000']) idFrames.push(text(JSON.stringify({ type: 'join', room: 'r', peerId: 'p', token: bad })));
    for (const bad of ['1', null, true, [], {}, 'x'.repeat(60_000)]) idFrames.push(text(JSON.stringify({ type: 'ping', id: bad })));
    frames.push(...idFrames);

    const outcomes = await probe(frames);
    expectErrorOrAbuseClose(outcomes);
    for (const o of outcomes) {
      const expected = localVerdict(o.frame);
      expect(expected.ok, label(o.frame)).toBe(false);
      if (!expected.ok) expect(o.replies[0], label(o.frame)).toMatchObject({ type: 'error', code: expected.error.code });
    }
    const codes = new Set(outcomes.map((o) => (o.replies[0]?.type === 'error' ? o.replies[0].code : 'none')));
    expect([...codes].sort()).toEqual(['ERR_BAD_MESSAGE', 'ERR_UNKNOWN_TYPE']);
    await checkServerAfter('wrong types and path-like ids');
  });

  it('__proto__ / constructor / prototype keys are refused and pollute nothing in the server', async () => {
    const payloads = [
      '{"type":"ping","__proto__":{"type":"join","polluted":true}}',
      '{"__proto__":{"type":"ping","token":"t","room":"r","peerId":"p"}}',
      '{"type":"join","room":"r","peerId":"p","constructor":{"prototype":{"token":"t"}}}',
      '{"type":"join","room":"r","peerId":"p","prototype":{"token":"t"}}',
      '{"type":"ping","__proto__":null}',
      '{"type":"ping","__proto__":[]}',
      '{"type":"__proto__"}',
      '{"type":"constructor","constructor":"constructor"}',
      '{"type":"leave","__proto__":{"__proto__":{"polluted":true}}}',
      '{"type":"signal","to":"bob","data":{"__proto__":{"polluted":true,"type":"ping"}}}',
      '{"type":"signal","to":"bob","data":{"constructor":{"prototype":{"polluted":true}}}}',
      '{"type":"signal","to":"bob","data":[{"__proto__":{"token":"t"}}]}',
    ];
    expectErrorOrAbuseClose(await probe(payloads.map(text)));
    // Behavioural probes of the server's own Object.prototype: were `type`, `token`, `data` or
    // `id` inherited by every object, these frames would be accepted instead of refused.
    const probes = await probe(['{}', '{"type":"join","room":"probe","peerId":"p"}', '{"type":"signal","to":"bob"}', '{"type":"ping","id":"x"}', '{"x":1}'].map(text));
    expect(probes.map((o) => o.replies[0])).toEqual([
      expect.objectContaining({ code: 'ERR_BAD_MESSAGE', message: 'frame must have a string "type"' }),
      expect.objectContaining({ code: 'ERR_BAD_MESSAGE', inReplyTo: 'join' }),
      expect.objectContaining({ code: 'ERR_BAD_MESSAGE', inReplyTo: 'signal' }),
      expect.objectContaining({ code: 'ERR_BAD_MESSAGE', inReplyTo: 'ping' }),
      expect.objectContaining({ code: 'ERR_BAD_MESSAGE', message: 'frame must have a string "type"' }),
    ]);
    // And in this process, which parsed the same frames with the same validator.
    for (const p of payloads) parseClientFrame(p, false);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(({} as Record<string, unknown>).token).toBeUndefined();
    await checkServerAfter('prototype pollution');
  });

  it('frames over the size limit: an error up to the hard cap, a 1009 close past it, and 10+ MB is never buffered', async () => {
    const over = (bytes: number): string => `{"type":"ping","pad":"${'x'.repeat(bytes - 24)}"}`;
    expect(Buffer.byteLength(over(MAX_FRAME_BYTES + 1))).toBe(MAX_FRAME_BYTES + 1);
    const hardCap = MAX_FRAME_BYTES + HARD_CAP_SLACK_BYTES;
    const fragmented = (totalBytes: number, pieces: number): Frame => ({
      data: `<${totalBytes} bytes in ${pieces} fragments>`,
      send: (client) => {
        const piece = Buffer.alloc(totalBytes / pieces, 0x61);
        for (let i = 0; i < pieces; i++) client.ws.send(piece, { binary: false, fin: i === pieces - 1 });
      },
    });
    const rssBefore = await serverRss();
    const frames: Frame[] = [
      text(over(MAX_FRAME_BYTES + 1)),
      text(over(hardCap)),
      text(over(hardCap + 1)),
      text('x'.repeat(1024 * 1024)),
      text('x'.repeat(10 * MiB)),
      { data: Buffer.alloc(16 * MiB, 0x20), binary: true },
      fragmented(10 * MiB, 10),
      fragmented(hardCap + 2 * 1024, 24),
    ];
    const outcomes = await probe(frames, 1);
    expectErrorOrAbuseClose(outcomes);
    expect(outcomes.map((o) => o.closed?.code ?? (o.replies[0]?.type === 'error' ? o.replies[0].code : 'none'))).toEqual([
      'ERR_FRAME_TOO_LARGE',
      'ERR_FRAME_TOO_LARGE',
      ...Array.from({ length: 6 }, () => CLOSE_CODES.TOO_BIG),
    ]);
    // Had the server read these (~37 MB) into memory, its RSS would show it.
    expect((await serverRss()) - rssBefore).toBeLessThan(24 * MiB);
    await checkServerAfter('oversized frames');
  });

  it('deep nesting: no stack overflow; data deeper than MAX_DATA_DEPTH refused; 100k levels cut by the size cap', async () => {
    const arrays = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const objects = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const signal = (data: string): string => `{"type":"signal","to":"bob","data":${data}}`;
    const frames: Frame[] = [
      text(arrays(32_000)), // the whole frame, 64,000 bytes
      text(signal(arrays(30_000))),
      text(signal(objects(10_000))),
      text(signal(arrays(MAX_DATA_DEPTH + 1))),
      text(signal(arrays(MAX_DATA_DEPTH))), // allowed: the socket is not in a room, so ERR_NOT_IN_ROOM
      text(signal(arrays(100_000))), // 200 KB: past the hard cap
      text(arrays(1_000_000)),
    ];
    const outcomes = await probe(frames, 1);
    expectErrorOrAbuseClose(outcomes);
    expect(outcomes.map((o) => o.closed?.code ?? (o.replies[0]?.type === 'error' ? o.replies[0].code : 'none'))).toEqual([
      'ERR_BAD_MESSAGE',
      'ERR_BAD_MESSAGE',
      'ERR_BAD_MESSAGE',
      'ERR_BAD_MESSAGE',
      'ERR_NOT_IN_ROOM',
      CLOSE_CODES.TOO_BIG,
      CLOSE_CODES.TOO_BIG,
    ]);
    await checkServerAfter('deep nesting');
  });

  it('messages to rooms the sender is not in reach no one', async () => {
    const token = 'victim-room-token';
    const alice = await SignalingTestClient.open(sp.url);
    const bob = await SignalingTestClient.open(sp.url);
    const eve = await SignalingTestClient.open(sp.url);
    try {
      await alice.join('victims', 'alice', token);
      await bob.join('victims', 'bob', token);
      const frames: object[] = [];
      for (const to of ['alice', 'bob', 'eve']) frames.push({ type: 'signal', to, data: { type: 'offer', sdp: 'evil' } });
      frames.push({ type: 'leave' });
      frames.push({ type: 'join', room: 'victims', peerId: 'alice', token: 'guess' });
      frames.push({ type: 'join', room: 'victims', peerId: 'eve', token: 'guess' });
      frames.push({ type: 'join', room: 'victims', peerId: 'eve', token }); // even with the token: full
      frames.push({ type: 'join', room: 'elsewhere', peerId: 'eve', token: 'eve-token' });
      for (const to of ['alice', 'bob']) frames.push({ type: 'signal', to, data: { type: 'offer', sdp: 'evil' } });
      const expected = ['ERR_NOT_IN_ROOM', 'ERR_NOT_IN_ROOM', 'ERR_NOT_IN_ROOM', 'ERR_NOT_IN_ROOM', 'ERR_UNAUTHORIZED', 'ERR_UNAUTHORIZED', 'ERR_ROOM_FULL', 'welcome', 'ERR_UNKNOWN_PEER', 'ERR_UNKNOWN_PEER'];
      for (const [i, frame] of frames.entries()) {
        eve.send(frame);
        eve.send({ type: 'ping', id: i });
      }
      await eve.next('pong', (m) => m.id === frames.length - 1);
      const answers = eve.history.filter((m) => m.type !== 'pong').map((m) => (m.type === 'error' ? m.code : m.type));
      expect(answers).toEqual(expected);
      hostileInputs += frames.length;
      await alice.roundTrip(1);
      await bob.roundTrip(2);
      expect([...alice.history, ...bob.history].filter((m) => !['pong', 'welcome', 'peer-joined'].includes(m.type))).toEqual([]);
    } finally {
      for (const c of [alice, bob, eve]) c.close();
    }
    await checkServerAfter('signals to other rooms');
  });

  it('join floods: one socket cycling, and many sockets from one IP, are rate limited and every join is answered', async () => {
    const CYCLES = 45;
    const cycler = await SignalingTestClient.open(sp.url);
    try {
      // 45 joins + 45 leaves + 1 ping: inside the message burst, so only the join limit bites.
      for (let i = 0; i < CYCLES; i++) {
        cycler.send({ type: 'join', room: `cycle-${i}`, peerId: 'p', token: 'cycle-token' });
        cycler.send({ type: 'leave' });
      }
      await cycler.roundTrip(1);
      const joins = cycler.history.filter((m) => m.type === 'welcome' || (m.type === 'error' && m.inReplyTo === 'join'));
      expect(joins).toHaveLength(CYCLES);
      expect(cycler.history.filter((m) => m.type === 'welcome').length).toBeLessThanOrEqual(DEFAULT_LIMITS.joinBurstPerSocket + 1);
      expect(joins.filter((m) => m.type === 'error' && m.code === 'ERR_RATE_LIMITED').length).toBeGreaterThanOrEqual(CYCLES - DEFAULT_LIMITS.joinBurstPerSocket - 1);
      hostileInputs += 2 * CYCLES;
    } finally {
      cycler.close();
    }

    const floodSockets = DEFAULT_LIMITS.joinBurstPerIp + 50;
    const sockets: SignalingTestClient[] = [];
    try {
      for (let i = 0; i < floodSockets; i += 50) sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, floodSockets - i) }, () => SignalingTestClient.open(sp.url)))));
      sockets.forEach((s, i) => s.send({ type: 'join', room: `flood-${i}`, peerId: 'p', token: 'flood-token' }));
      await Promise.all(sockets.map((s, i) => s.roundTrip(i, 15_000)));
      const answers = sockets.map((s) => s.history.find((m) => m.type === 'welcome' || m.type === 'error'));
      expect(answers.every((m) => m !== undefined)).toBe(true);
      const limited = answers.filter((m) => m?.type === 'error' && m.code === 'ERR_RATE_LIMITED').length;
      expect(limited).toBeGreaterThan(0);
      expect(answers.filter((m) => m?.type === 'welcome').length + limited).toBe(floodSockets);
      hostileInputs += floodSockets;
    } finally {
      for (const s of sockets) s.close();
    }
    await checkServerAfter('join floods');
  });

  it(`${MUTATED_FRAMES} seeded mutations of valid frames: each answered as the validator says, never silence`, async () => {
    const rand = mulberry32(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const int = (n: number): number => Math.floor(rand() * n);
    const randomString = (): string => {
      const len = pick([0, 1, 2, 8, 64, 65, 257, 1000]);
      let s = '';
      for (let i = 0; i < len; i++) s += String.fromCharCode(pick([int(32), 32 + int(95), int(0x10000), 0xd800 + int(0x800)]));
      return s;
    };
    const randomValue = (depth = 0): unknown => {
      switch (int(depth > 3 ? 7 : 10)) {
        case 0: return null;
        case 1: return pick([0, -1, 1.5, 2 ** 53 + 1, -0, 1e308, Number.MIN_VALUE]);
        case 2: return rand() < 0.5;
        case 3: return randomString();
        case 4: return pick(['join', 'signal', 'ping', 'leave', 'bob', 'fuzz-room', 'fuzz-token', '../x', '__proto__', 'x'.repeat(70_000)]);
        case 5: return pick(['', ' ', 'a b', '\u0000']);
        case 6: return 'x'.repeat(pick([64, 256, 4096, 30_000]));
        case 7: return Array.from({ length: int(4) }, () => randomValue(depth + 1));
        case 8: return Object.fromEntries(Array.from({ length: int(4) }, () => [pick(['a', 'type', 'data', '__proto__', 'constructor', randomString()]), randomValue(depth + 1)]));
        default: return `${'['.repeat(40)}${']'.repeat(40)}`;
      }
    };
    const mutateObject = (obj: Record<string, unknown>): Record<string, unknown> => {
      const keys = Object.keys(obj);
      switch (int(5)) {
        case 0: { const k = pick(keys); const { [k]: _dropped, ...rest } = obj; return rest; }
        case 1: return { ...obj, [pick(keys)]: randomValue() };
        case 2: return { ...obj, [pick(['__proto__', 'constructor', 'prototype', 'extra', 'type', 'toString', 'x'.repeat(100)])]: randomValue() };
        case 3: return { ...obj, type: pick(['join', 'signal', 'ping', 'leave', 'pong', 'welcome', 'error', 'Join', '', 'x'.repeat(200)]) };
        default: return { type: obj.type, data: obj };
      }
    };
    const mutateText = (s: string): string => {
      const at = int(s.length + 1);
      switch (int(6)) {
        case 0: return s.slice(0, at);
        case 1: return s.slice(0, at) + pick(['"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', '\n', '\ud800', 'é', ' ']) + s.slice(at + 1);
        case 2: return s.slice(0, at) + randomString() + s.slice(at);
        case 3: return s.slice(0, at) + s.slice(int(s.length), int(s.length) + 20) + s.slice(at);
        case 4: return s.replace(/"/g, pick(["'", '`', '""', '\\"']));
        default: return s + s;
      }
    };
    const templates = [JOIN, SIGNAL, CANDIDATE, PING, LEAVE].map((t) => JSON.parse(t) as Record<string, unknown>);
    const frames: Frame[] = [];
    for (let i = 0; i < MUTATED_FRAMES; i++) {
      let obj = pick(templates);
      for (let m = 1 + int(2); m > 0; m--) obj = mutateObject(obj);
      // JSON.stringify turns an own `__proto__` key (from an object literal) into nothing; build it as text too.
      let s = JSON.stringify(obj);
      if (rand() < 0.15) s = s.replace(/^\{/, '{"__proto__":{"type":"ping"},');
      if (rand() < 0.5) s = mutateText(s);
      frames.push(text(s));
    }

    const outcomes = await probe(frames);
    // Sockets run side by side, and mutated joins share the template's room and peer id: one may
    // replace another (closed with 4000), or tell it a peer joined, left or signalled. Those are
    // news from others, not answers to the frame.
    const news = new Set(['peer-joined', 'peer-left', 'signal']);
    let valid = 0;
    for (const o of outcomes) {
      const verdict = localVerdict(o.frame);
      const answers = o.replies.filter((r) => !news.has(r.type));
      if (o.closed !== undefined) {
        expect([...ABUSE_CLOSES, CLOSE_CODES.REPLACED], `${label(o.frame)} closed ${o.closed.code}`).toContain(o.closed.code);
        continue;
      }
      if (!verdict.ok) {
        // The answer is exactly the error the validator gives here: the boundary held.
        expect(answers[0], label(o.frame)).toMatchObject({ type: 'error', code: verdict.error.code });
        continue;
      }
      valid++;
      // A valid leave, or a signal relayed to a peer, is rightly answered by silence.
      if (verdict.msg.type !== 'leave' && verdict.msg.type !== 'signal') expect(answers.length, label(o.frame)).toBeGreaterThan(0);
    }
    const closes = outcomes.flatMap((o) => (o.closed ? [o.closed.code] : []));
    console.log(`SIG-4 mutations: ${frames.length} frames, ${valid} happened to be valid, sockets closed: ${JSON.stringify(closes)}`);
    await checkServerAfter('seeded mutations');
  });
});
