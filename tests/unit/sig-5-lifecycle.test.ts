/**
 * SIG-5: SIGTERM; SIGKILL then restart; startup with a corrupt config. The server runs as its own
 * OS process (the CLI), as in production; clients are real ws clients that reconnect.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { launchSignaling, type SignalingProcess } from '../../harness/servers/signaling-process.js';
import { ReconnectingSignalingClient, SignalingTestClient } from '../../harness/signaling-chaos-client.js';
import { CLOSE_CODES } from '../../signaling/protocol.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(REPO_ROOT, 'signaling', 'cli.ts');
/** What the CLI promises its supervisor after SIGTERM. */
const SHUTDOWN_BUDGET_MS = 2_000;
/** A restarted server must have every reconnecting client back within this. */
const RECONNECT_BUDGET_MS = 10_000;
const TOKEN = 'sig5-room-token';
const KEY = 'sig5-chaos-key-0123456789';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sig-5-'));
const launched: SignalingProcess[] = [];
const sockets: SignalingTestClient[] = [];
const reconnecting: ReconnectingSignalingClient[] = [];

async function launch(opts: { configPath?: string; chaosKey?: string } = {}): Promise<SignalingProcess> {
  const sp = await launchSignaling({ logPath: path.join(dir, `signaling-${launched.length}.log`), ...opts });
  launched.push(sp);
  return sp;
}

async function open(url: string): Promise<SignalingTestClient> {
  const client = await SignalingTestClient.open(url);
  sockets.push(client);
  return client;
}

function client(url: string, peerId: string, room = 'sig5'): ReconnectingSignalingClient {
  const c = new ReconnectingSignalingClient({ url, room, peerId, token: TOKEN, minDelayMs: 50, maxDelayMs: 500 });
  reconnecting.push(c);
  c.start();
  return c;
}

/** Runs the CLI directly, to see its exit code and its exact output. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
}

function writeFile(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

afterEach(async () => {
  for (const c of reconnecting.splice(0)) c.stop();
  for (const s of sockets.splice(0)) s.close();
  await Promise.all(launched.splice(0).map((sp) => sp.stop()));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SIG-5: signaling server lifecycle', () => {
  it('SIGTERM: every client, joined or not, hears going-away, is closed with 1001, the process exits 0 within 2 s, and clients come back after a restart', async () => {
    const sp = await launch();
    const clients = await Promise.all(Array.from({ length: 6 }, () => open(sp.url)));
    await clients[0]!.join('a', 'p1', TOKEN);
    await clients[1]!.join('a', 'p2', TOKEN);
    await clients[2]!.join('b', 'p1', TOKEN);
    const carol = client(sp.url, 'carol', 'c');
    await carol.waitForWelcomes(1);

    const started = Date.now();
    await sp.terminate(); // SIGTERM; the harness would SIGKILL after 3 s, so < 2 s is a clean exit
    expect(Date.now() - started).toBeLessThan(SHUTDOWN_BUDGET_MS);
    for (const c of clients) {
      expect(await c.next('going-away')).toEqual({ type: 'going-away', reason: 'server shutting down' });
      expect((await c.closed).code).toBe(CLOSE_CODES.GOING_AWAY);
      expect(c.history.filter((m) => m.type === 'peer-left')).toEqual([]);
    }
    expect(sp.logTail()).toContain('SIGTERM, shutting down');
    expect(sp.logTail()).not.toMatch(/unexpected|shutdown failed/);

    await sp.restart();
    await carol.waitForWelcomes(2, RECONNECT_BUDGET_MS);
    // The app's client closes politely on going-away (1000); the server's own close is 1001.
    expect([1000, CLOSE_CODES.GOING_AWAY]).toContain(carol.closes.at(0)?.code);
  });

  it('SIGKILL then restart: reconnecting clients rejoin with their token and signal again', async () => {
    const sp = await launch();
    const alice = client(sp.url, 'alice');
    const bob = client(sp.url, 'bob');
    await Promise.all([alice.waitForWelcomes(1), bob.waitForWelcomes(1)]);
    alice.sendSignal('bob', { type: 'offer', n: 1 });
    await bob.waitForSignals(1);

    await sp.kill(); // no going-away: the sockets just die
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few failed reconnects, as in a real outage
    expect(alice.closes.at(0)?.code).toBe(1006);
    expect(bob.closes.at(0)?.code).toBe(1006);

    await sp.restart();
    await Promise.all([alice.waitForWelcomes(2, RECONNECT_BUDGET_MS), bob.waitForWelcomes(2, RECONNECT_BUDGET_MS)]);
    // The restarted server remembers nothing: a rejoin is a fresh join, and the room's token is
    // set again by whichever peer came back first. Both bring the same one.
    expect([alice.welcomes[1]?.rejoined, bob.welcomes[1]?.rejoined]).toEqual([false, false]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // both are in the room on the server's side
    bob.sendSignal('alice', { type: 'answer', n: 2 });
    await alice.waitForSignals(1);
    expect(alice.signals[0]).toEqual({ type: 'signal', from: 'bob', data: { type: 'answer', n: 2 } });
    expect([...alice.errors, ...bob.errors]).toEqual([]);
    // And the token is in force again after the restart.
    const mallory = await open(sp.url);
    mallory.send({ type: 'join', room: 'sig5', peerId: 'alice', token: 'guess' });
    expect(await mallory.next('error')).toMatchObject({ code: 'ERR_UNAUTHORIZED' });
  });

  it('a corrupt or invalid config file: one ERR_CONFIG line naming the file and the fix, exit 1', async () => {
    const corrupt = writeFile('corrupt.json', '{ "port": 0, "limits": { "messagesPerSecond": 50, }');
    const invalid = writeFile('invalid.json', '{ "port": 0, "chaos": { "enabled": true, "dropRate": 1.5 } }');
    const [a, b] = await Promise.all([runCli(['--config', corrupt]), runCli(['--config', invalid])]);
    for (const run of [a, b]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.endsWith('\n')).toBe(true);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(a.stderr).toMatch(new RegExp(`^signaling: ERR_CONFIG: ${corrupt}: not valid JSON \\(.+\\) — fix the syntax; the file must hold one JSON object\\n$`));
    expect(b.stderr).toBe(`signaling: ERR_CONFIG: ${invalid}: chaos.dropRate must be a number from 0 to 1, got 1.5 — fix it (the fields are described in signaling/chaos-protocol.ts)\n`);
  });

  it('a valid config file is applied, and launchSignaling passes the chaos key in the env', async () => {
    const config = writeFile('good.json', JSON.stringify({ heartbeatMs: 5_000, limits: { messageBurst: 3, messagesPerSecond: 1 } }));
    const sp = await launch({ configPath: config, chaosKey: KEY });
    const c = await open(sp.url);
    for (let i = 0; i < 6; i++) c.send({ type: 'ping', id: i });
    expect(await c.next('error')).toMatchObject({ code: 'ERR_RATE_LIMITED' });
    expect(c.history.filter((m) => m.type === 'pong')).toHaveLength(3);

    const url = `${sp.httpUrl}/api/chaos/config`;
    expect((await fetch(url, { headers: { 'x-chaos-key': KEY } })).status).toBe(200);
    expect((await fetch(url)).status).toBe(401);
  });
});
