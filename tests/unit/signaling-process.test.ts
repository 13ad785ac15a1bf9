import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { HarnessError } from '../../harness/errors.js';
import { launchSignaling, type SignalingProcess } from '../../harness/servers/signaling-process.js';
import { createSignalingServer, type SignalingServer } from '../../signaling/server.js';

const launched: SignalingProcess[] = [];
const inProcess: SignalingServer[] = [];
const sockets: WebSocket[] = [];
const tmpDirs: string[] = [];

function tmpLog(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signaling-process-'));
  tmpDirs.push(dir);
  return path.join(dir, 'signaling.log');
}

async function launch(opts: { port?: number } = {}): Promise<SignalingProcess> {
  const sp = await launchSignaling({ logPath: tmpLog(), ...opts });
  launched.push(sp);
  return sp;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function healthz(sp: SignalingProcess): Promise<number> {
  // A fresh connection each call: a pooled keep-alive socket to a killed server would be stale.
  const res = await fetch(`${sp.httpUrl}/healthz`, { headers: { connection: 'close' } }).catch(() => undefined);
  return res?.status ?? 0;
}

/** One ping/pong through the real process; resolves with the pong, or the first other message. */
async function pingOnce(url: string): Promise<unknown> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  ws.on('error', () => {});
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'ping', id: 1 }));
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
}

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(launched.splice(0).map((sp) => sp.stop()));
  await Promise.all(inProcess.splice(0).map((s) => s.close()));
  for (const dir of tmpDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('launchSignaling', () => {
  it('starts the CLI as its own process on a free port, and it answers', async () => {
    const sp = await launch();
    expect(sp.port).toBeGreaterThan(0);
    expect(sp.url).toBe(`ws://127.0.0.1:${sp.port}`);
    expect(sp.pid).not.toBe(process.pid);
    expect(isAlive(sp.pid ?? -1)).toBe(true);
    expect(await healthz(sp)).toBe(200);
    expect(await pingOnce(sp.url)).toEqual({ type: 'pong', id: 1 });
    expect(sp.logTail()).toContain(`signaling listening on ${sp.url}`);
  });

  it('comes back on the same port after kill(), with a new pid', async () => {
    const sp = await launch();
    const firstPid = sp.pid ?? -1;
    const port = sp.port;
    await sp.kill();
    expect(isAlive(firstPid)).toBe(false);
    expect(await healthz(sp)).toBe(0);

    await sp.restart();
    expect(sp.port).toBe(port);
    expect(sp.pid).not.toBe(firstPid);
    expect(await healthz(sp)).toBe(200);
    expect(await pingOnce(sp.url)).toEqual({ type: 'pong', id: 1 });
  });

  it('restart() retries while something else briefly holds the port', async () => {
    const sp = await launch();
    await sp.kill();
    const squatter = await createSignalingServer({ host: '127.0.0.1', port: sp.port });
    inProcess.push(squatter);
    const restarted = sp.restart();
    restarted.catch(() => undefined); // a failure is reported by the await below, not as unhandled
    // Hold the port until one attempt has been refused, then let go: the retry must succeed.
    while (!sp.logTail().includes('ERR_PORT_IN_USE')) await new Promise((resolve) => setTimeout(resolve, 25));
    await squatter.close();
    await restarted;
    expect(await healthz(sp)).toBe(200);
    expect(sp.logTail()).toContain('ERR_PORT_IN_USE');
  });

  it('terminate() sends going-away to clients before the process exits', async () => {
    const sp = await launch();
    const ws = new WebSocket(sp.url);
    sockets.push(ws);
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('open', resolve));
    await sp.terminate();
    expect(await closed).toBe(1001);
    expect(messages).toEqual([{ type: 'going-away', reason: 'server shutting down' }]);
    await sp.restart(); // a polite stop frees the port just as well
    expect(await healthz(sp)).toBe(200);
  });

  it('stop() leaves no process behind and can be called again', async () => {
    const sp = await launch();
    const pid = sp.pid ?? -1;
    await sp.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await sp.stop();
  });

  it('fails with ERR_SIGNALING_START_FAILED and the log tail when the port is taken', async () => {
    const blocker = await createSignalingServer({ host: '127.0.0.1', port: 0 });
    inProcess.push(blocker);
    const err = await launch({ port: blocker.port }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('ERR_SIGNALING_START_FAILED');
    expect((err as HarnessError).message).toContain(`ERR_PORT_IN_USE: 127.0.0.1:${blocker.port} is in use; pick another --port`);
  });
});
