import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { mintTurnCredential, type IceServer } from '../../turn/credentials.js';
import { externalTurnFromEnv } from '../../turn/external.js';
import { launchTurnServer, type TurnServer } from '../../turn/launcher.js';
import { stunBinding, turnAllocate, type StunTransport } from '../../turn/stun-client.js';

// These tests run the real coturn (Debian's turnserver). Every server is disposed even when a test fails.

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function credentialsOf(servers: IceServer[]): { username: string; password: string } {
  const relay = servers.find((s) => s.username !== undefined)!;
  return { username: relay.username!, password: relay.credential! };
}

async function allocate(server: TurnServer, transport: StunTransport, auth: { username: string; password: string }) {
  return turnAllocate({ host: server.host, port: server.port, transport, ...auth });
}

async function harnessError(promise: Promise<unknown>): Promise<HarnessError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HarnessError);
  return err as HarnessError;
}

describe('a launched coturn', () => {
  let server: TurnServer;

  beforeAll(async () => {
    server = await launchTurnServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('runs natively on loopback with its files in its own work dir', () => {
    expect(server).toMatchObject({ managed: true, host: '127.0.0.1', runtime: 'native' });
    expect(isAlive(server.pid)).toBe(true);
    expect(server.workDir.startsWith(os.tmpdir())).toBe(true);
    expect(fs.readdirSync(server.workDir).sort()).toEqual(['turn.log', 'turndb.sqlite', 'turnserver.conf', 'turnserver.pid']);
    expect(fs.readFileSync(path.join(server.workDir, 'turnserver.pid'), 'utf8').trim()).toBe(String(server.pid));
    expect(server.urls.udp).toBe(`turn:127.0.0.1:${server.port}?transport=udp`);
    expect(fs.readFileSync(server.logPath, 'utf8')).toMatch(/Version Coturn-\d+\.\d+/);
    expect(server.logTail(5).split('\n')).toHaveLength(5);
  });

  it.each(['udp', 'tcp'] as const)('answers a STUN Binding over %s', async (transport) => {
    const { mappedAddress } = await stunBinding(server.host, server.port, transport);
    expect(mappedAddress).toMatchObject({ family: 'IPv4', address: '127.0.0.1' });
    expect(mappedAddress.port).toBeGreaterThan(0);
  });

  it.each(['udp', 'tcp'] as const)('allocates a relay over %s with a fresh credential, then frees it', async (transport) => {
    const result = await allocate(server, transport, credentialsOf(server.iceServers('alice', 600)));
    expect(result).toMatchObject({ ok: true, released: true, relayedAddress: { address: '127.0.0.1' } });
  });

  it('answers 401 to an expired credential', async () => {
    const expired = mintTurnCredential({ secret: server.secret, user: 'alice', ttlSeconds: -60 });
    const result = await allocate(server, 'udp', { username: expired.username, password: expired.credential });
    expect(result).toMatchObject({ ok: false, errorCode: 401 });
  });

  it('answers 401 to a wrong password', async () => {
    const { username } = credentialsOf(server.iceServers('alice', 600));
    expect(await allocate(server, 'tcp', { username, password: 'not-the-hmac' })).toMatchObject({ ok: false, errorCode: 401 });
    const otherSecret = mintTurnCredential({ secret: 'some-other-secret', user: 'alice', ttlSeconds: 600 });
    expect(await allocate(server, 'udp', { username: otherSecret.username, password: otherSecret.credential })).toMatchObject({ ok: false, errorCode: 401 });
  });

  it('is reachable as an external server through TURN_URL and TURN_SECRET', async () => {
    const external = externalTurnFromEnv({ TURN_URL: server.urls.udp, TURN_SECRET: server.secret })!;
    expect(external.port).toBe(server.port);
    expect(await allocate(server, 'tcp', credentialsOf(external.iceServers('carol', 60)))).toMatchObject({ ok: true });
  });

  it('refuses to start a second coturn on a port that is taken (coturn itself would share it silently)', async () => {
    const err = await harnessError(launchTurnServer({ port: server.port }));
    expect(err.code).toBe('ERR_TURN_START_FAILED');
    expect(err.message).toMatch(/already in use \(udp, tcp\)/);
  });
});

describe('coturn lifecycle', () => {
  const launched: TurnServer[] = [];
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(launched.splice(0).map((s) => s.dispose()));
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function launch(opts: Parameters<typeof launchTurnServer>[0] = {}): Promise<TurnServer> {
    const server = await launchTurnServer(opts);
    launched.push(server);
    return server;
  }

  it('kill() drops it at once and restart() brings it back on the same port and secret', async () => {
    const server = await launch();
    const auth = credentialsOf(server.iceServers('alice', 600));
    const firstPid = server.pid;

    await server.kill();
    expect(isAlive(firstPid)).toBe(false);
    await expect(stunBinding(server.host, server.port, 'udp', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'ERR_TURN_UNREACHABLE' });
    await expect(stunBinding(server.host, server.port, 'tcp', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'ERR_TURN_UNREACHABLE' });

    await server.restart();
    expect(server.pid).not.toBe(firstPid);
    expect(isAlive(server.pid)).toBe(true);
    await expect(stunBinding(server.host, server.port, 'udp')).resolves.toBeDefined();
    // A credential minted before the crash still works: same secret, same realm.
    expect(await allocate(server, 'udp', auth)).toMatchObject({ ok: true });
    expect(fs.readFileSync(server.logPath, 'utf8').match(/\[harness\] start #/g)).toHaveLength(2);
  });

  it('stop() and dispose() leave no process and no work dir, and are idempotent', async () => {
    const server = await launch();
    const pid = server.pid;
    await server.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    await server.stop();
    expect(fs.existsSync(server.workDir)).toBe(true);
    await server.dispose();
    await server.dispose();
    expect(fs.existsSync(server.workDir)).toBe(false);
  });

  it('dispose() of a running server stops it too', async () => {
    const server = await launch();
    await server.dispose();
    expect(isAlive(server.pid)).toBe(false);
    expect(fs.existsSync(server.workDir)).toBe(false);
  });

  it('honours port, relay range, secret, realm and a caller-owned work dir', async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'turn-test-own-'));
    dirs.push(workDir);
    const probe = await launch();
    const port = probe.port; // known free: it just ran there
    await probe.dispose();
    const server = await launch({ port, relayPortRange: [51_000, 51_009], secret: 'fixed-secret', realm: 'custom.realm', workDir });
    expect(server).toMatchObject({ port, secret: 'fixed-secret', realm: 'custom.realm', workDir });
    const result = await allocate(server, 'udp', credentialsOf(server.iceServers('bob', 60)));
    if (!result.ok) throw new Error(`allocate failed: ${result.errorCode} ${result.reason}`);
    expect(result.relayedAddress.port).toBeGreaterThanOrEqual(51_000);
    expect(result.relayedAddress.port).toBeLessThanOrEqual(51_009);
    fs.writeFileSync(path.join(workDir, 'keep-me'), 'not ours');
    await server.dispose();
    expect(fs.readdirSync(workDir)).toEqual(['keep-me']);
  });

  it('reports a missing binary as ERR_TURN_NOT_FOUND with the install hint', async () => {
    const err = await harnessError(launchTurnServer({ binary: '/nonexistent/turnserver' }));
    expect(err.code).toBe('ERR_TURN_NOT_FOUND');
    expect(err.message).toContain('/nonexistent/turnserver');
    expect(err.hint).toMatch(/apt-get install -y coturn/);
  });

  it('reports no coturn and no Docker as ERR_TURN_NOT_FOUND naming both ways out', async () => {
    const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'turn-test-path-'));
    dirs.push(emptyDir);
    const err = await harnessError(launchTurnServer({ env: { PATH: emptyDir } }));
    expect(err.code).toBe('ERR_TURN_NOT_FOUND');
    expect(err.hint).toMatch(/TURN_URL and TURN_SECRET/);
  });

  it('reports a binary that is not coturn as ERR_TURN_START_FAILED quoting its log', async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'turn-test-bad-'));
    dirs.push(workDir);
    const fake = path.join(workDir, 'fake-turnserver');
    fs.writeFileSync(fake, '#!/bin/sh\necho "fake turnserver: refusing $*" >&2\nexit 3\n', { mode: 0o755 });
    const started = Date.now();
    const err = await harnessError(launchTurnServer({ binary: fake, workDir }));
    expect(err.code).toBe('ERR_TURN_START_FAILED');
    expect(err.message).toMatch(/exited before it answered STUN/);
    expect(err.message).toContain('fake turnserver: refusing -c');
    expect(Date.now() - started).toBeLessThan(5_000); // the exit wins the race; no waiting out the timeout
  });

  it('times out on a process that never answers, and kills it', async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'turn-test-mute-'));
    dirs.push(workDir);
    const mute = path.join(workDir, 'mute-turnserver');
    fs.writeFileSync(mute, '#!/bin/sh\necho "$$" > "$(dirname "$0")/mute.pid"\nexec sleep 30\n', { mode: 0o755 });
    const err = await harnessError(launchTurnServer({ binary: mute, workDir, startTimeoutMs: 1_000 }));
    expect(err.code).toBe('ERR_TURN_START_FAILED');
    expect(err.message).toMatch(/did not answer STUN on udp\+tcp .* within 1000 ms/);
    const mutePid = Number(fs.readFileSync(path.join(workDir, 'mute.pid'), 'utf8'));
    expect(isAlive(mutePid)).toBe(false);
  });

  it('fails loudly when coturn ignores an option that matters', async () => {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'turn-test-old-'));
    dirs.push(workDir);
    // Stands in for an old coturn: the real server, plus the line coturn logs for an unknown config option.
    const wrapper = path.join(workDir, 'old-turnserver');
    fs.writeFileSync(wrapper, '#!/bin/sh\necho "0: : Bad configuration format: allow-loopback-peers"\nexec /usr/bin/turnserver "$@"\n', { mode: 0o755 });
    const err = await harnessError(launchTurnServer({ binary: wrapper, workDir }));
    expect(err.code).toBe('ERR_TURN_START_FAILED');
    expect(err.message).toMatch(/ignored config options it does not know: allow-loopback-peers/);
    expect(isAlive(Number(err.context.pid))).toBe(false);
  });

  it('refuses a port held by someone else', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    try {
      const err = await harnessError(launchTurnServer({ port: holder.address().port }));
      expect(err.message).toMatch(/already in use \(udp\)/);
    } finally {
      holder.close();
    }
  });
});
