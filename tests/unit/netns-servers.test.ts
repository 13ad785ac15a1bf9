import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { exposeInNetns } from '../../harness/netns/expose-in-netns.js';
import { namespacePids } from '../../harness/netns/namespaces.js';
import { answersInNetns, probeReadyInNetns } from '../../harness/netns/ready-in-netns.js';
import { createTopology, type Topology } from '../../harness/netns/topology.js';
import { launchSignaling } from '../../harness/servers/signaling-process.js';
import { launchTurnServer, resolveTurnRuntime } from '../../turn/launcher.js';
import { stunBinding } from '../../turn/stun-client.js';
import { netnsTestUnavailable } from './netns-test-env.js';

// Servers in a topology's hub (what harness/netns-fixtures.ts builds per e2e test): coturn and
// signaling started with `ip netns exec`, probed from inside the namespace, and a root-namespace
// HTTP server exposed in the hub. Root only; everything is stopped and deleted in afterEach.

function turnMissing(): string | undefined {
  try {
    return resolveTurnRuntime(undefined).kind === 'native' ? undefined : 'needs a native turnserver (apt-get install -y coturn)';
  } catch (err) {
    return (err as Error).message;
  }
}

const unavailable = netnsTestUnavailable() ?? turnMissing();
if (unavailable) console.warn(`netns server tests skipped: ${unavailable}`);

const SERVER_TEST_TIMEOUT_MS = 60_000;

describe('servers in the hub namespace', () => {
  let topology: Topology | undefined;
  let workDir = '';
  const cleanups: Array<() => Promise<void>> = [];

  beforeEach(async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrh-servers-'));
    topology = await createTopology({ name: `s${randomBytes(3).toString('hex')}`, peers: ['sender', 'receiver'] });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await topology?.destroy();
    topology = undefined;
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('coturn runs in the hub, answers STUN there (not from the root namespace), and comes back after a SIGKILL', { timeout: SERVER_TEST_TIMEOUT_MS }, async () => {
    const t = topology!;
    const turn = await launchTurnServer({ netns: t.hubNs, probeReadyInNetns, host: t.serviceAddress, workDir: path.join(workDir, 'turn') });
    cleanups.push(() => turn.dispose());
    expect(turn.port).toBe(3478);
    // The recorded PID is coturn itself, inside the hub (ip netns exec execs in place).
    expect(await namespacePids(t.hubNs)).toContain(turn.pid);
    expect(fs.readFileSync(`/proc/${turn.pid}/cmdline`, 'utf8')).toContain('turnserver');
    const stun = { kind: 'stun', host: t.serviceAddress, port: turn.port } as const;
    expect(await answersInNetns(t.hubNs, stun)).toBe(true);
    // The root namespace has no route to the hub: readiness could not have been probed from here.
    await expect(stunBinding(t.serviceAddress, turn.port, 'udp', { timeoutMs: 500 })).rejects.toThrow();
    // A peer reaches it across its veth.
    expect(await answersInNetns(t.peer('sender').ns, stun)).toBe(true);

    await turn.kill();
    expect(await answersInNetns(t.hubNs, stun)).toBe(false);
    await turn.restart();
    expect(await answersInNetns(t.peer('receiver').ns, stun)).toBe(true);
  });

  it('signaling runs in the hub on a fixed port, is healthy from a peer namespace, and restarts on the same port', { timeout: SERVER_TEST_TIMEOUT_MS }, async () => {
    const t = topology!;
    const signaling = await launchSignaling({ netns: t.hubNs, host: t.serviceAddress, port: 8787, logPath: path.join(workDir, 'signaling.log') });
    cleanups.push(() => signaling.stop());
    expect(signaling.url).toBe(`ws://${t.serviceAddress}:8787`);
    expect(await namespacePids(t.hubNs)).toContain(signaling.pid);
    const healthz = { kind: 'http', url: `${signaling.httpUrl}/healthz` } as const;
    expect(await answersInNetns(t.peer('sender').ns, healthz)).toBe(true);

    const before = signaling.pid;
    await signaling.kill();
    expect(await answersInNetns(t.peer('sender').ns, healthz)).toBe(false);
    await signaling.restart();
    expect(signaling.pid).not.toBe(before);
    expect(await answersInNetns(t.peer('sender').ns, healthz)).toBe(true);
  });

  it('exposes a root-namespace HTTP server at the service address, reachable from the peers and cut with their link', { timeout: SERVER_TEST_TIMEOUT_MS }, async () => {
    const t = topology!;
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const exposed = await exposeInNetns({ ns: t.hubNs, host: t.serviceAddress, port: 8080, targetHost: '127.0.0.1', targetPort: (server.address() as AddressInfo).port, dir: workDir });
    cleanups.push(() => exposed.close());
    const page = { kind: 'http', url: exposed.url } as const;
    expect(await answersInNetns(t.peer('receiver').ns, page)).toBe(true);

    await t.link('receiver').cut();
    expect(await answersInNetns(t.peer('receiver').ns, page)).toBe(false);
    expect(await answersInNetns(t.peer('sender').ns, page)).toBe(true);
    await t.link('receiver').restore();
    expect(await answersInNetns(t.peer('receiver').ns, page)).toBe(true);

    await exposed.close();
    expect(await answersInNetns(t.hubNs, page)).toBe(false);
    // Nothing of the bridge is left in the hub.
    expect(await namespacePids(t.hubNs)).toEqual([]);
  });
});
