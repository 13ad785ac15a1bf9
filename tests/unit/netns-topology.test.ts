import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { sweepStale } from '../../harness/netns/cleanup.js';
import { netnsCommand, run, runIn } from '../../harness/netns/exec.js';
import { listNamespaces } from '../../harness/netns/namespaces.js';
import { hasNetem } from '../../harness/netns/netem.js';
import { pingOnce } from '../../harness/netns/ping.js';
import { NETNS_REGISTRY_DIR, readClaims } from '../../harness/netns/registry.js';
import { createTopology, type Topology } from '../../harness/netns/topology.js';
import { netnsTestUnavailable } from './netns-test-env.js';

// Real namespaces, veths and routes (root only). Every topology is destroyed in afterEach, even when a test fails.

const unavailable = netnsTestUnavailable();
if (unavailable) console.warn(`netns topology tests skipped: ${unavailable}`);

function uniqueName(): string {
  return `t${randomBytes(3).toString('hex')}`;
}

async function ourNamespaces(topology: Topology): Promise<string[]> {
  return (await listNamespaces()).filter((ns) => topology.namespaces().includes(ns));
}

describe('a namespace topology', () => {
  const made: Topology[] = [];
  const strays: string[] = [];

  beforeEach((ctx) => {
    if (unavailable) ctx.skip(unavailable);
  });
  afterEach(async () => {
    await Promise.all(made.splice(0).map((t) => t.destroy()));
    for (const ns of strays.splice(0)) await run('ip', ['netns', 'delete', ns]).catch(() => undefined);
  });

  async function topology(peers = ['sender', 'receiver']): Promise<Topology> {
    const t = await createTopology({ name: uniqueName(), peers });
    made.push(t);
    return t;
  }

  it('gives each peer its own namespace, a /30 to the hub, a default route, and routes between peers', async () => {
    const rootForwardingBefore = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const t = await topology();
    const [sender, receiver] = [t.peer('sender'), t.peer('receiver')];

    expect(t.subnet).toMatch(/^10\.77\.\d+\.0\/24$/);
    expect(await ourNamespaces(t)).toHaveLength(3);
    expect(t.namespaces()[0]).toBe(t.hubNs);
    expect(sender.address).toBe(t.subnet.replace('.0/24', '.2'));
    expect(receiver.address).toBe(t.subnet.replace('.0/24', '.6'));

    const routes = (await run('ip', ['-n', sender.ns, 'route', 'show'])).stdout;
    expect(routes).toContain(`default via ${sender.gateway} dev ${sender.ifname}`);
    const addrs = (await run('ip', ['-n', sender.ns, '-4', '-o', 'addr', 'show'])).stdout;
    expect(addrs).toContain(`inet ${sender.address}/30`);
    expect(addrs).toContain('inet 127.0.0.1/8'); // lo is up
    expect((await runIn(t.hubNs, 'cat', ['/proc/sys/net/ipv4/ip_forward'])).stdout.trim()).toBe('1');
    // Forwarding is switched on inside the hub only; the host's setting is untouched.
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(rootForwardingBefore);

    expect(await pingOnce(sender.ns, receiver.address)).toBe(true);
    expect(await pingOnce(receiver.ns, sender.address)).toBe(true);
    expect(await pingOnce(sender.ns, t.serviceAddress)).toBe(true);
    // Nothing of ours is in the host's namespace.
    expect((await run('ip', ['-o', 'link', 'show'])).stdout).not.toMatch(/v\d-sender|wan0/);
    expect(await pingOnce(sender.ns, '127.0.0.1')).toBe(true); // its own loopback, not the host's
  });

  it('registers its namespaces under os.tmpdir() and gives parallel topologies distinct subnets', async () => {
    const [a, b] = await Promise.all([topology(['alice']), topology(['bob'])]);
    expect(a.subnet).not.toBe(b.subnet);
    const claims = readClaims().filter((c) => c.ownerPid === process.pid);
    expect(claims.map((c) => c.namespaces)).toEqual(expect.arrayContaining([a.namespaces(), b.namespaces()]));
    expect(fs.readdirSync(NETNS_REGISTRY_DIR).some((f) => f.endsWith('.json'))).toBe(true);
  });

  it('destroy() removes every namespace, nft table and qdisc and releases its claim; a second call is harmless', async () => {
    const t = await topology();
    await t.link('sender').cut();
    await t.link('sender').shape({ rateKbps: 1000, lossPercent: 5 });
    await t.hub.blockDirectPeerTraffic();
    expect((await runIn(t.hubNs, 'nft', ['list', 'tables'])).stdout).toContain('wrh-link-sender');

    await t.destroy();
    await t.destroy();
    expect(await ourNamespaces(t)).toEqual([]);
    expect(readClaims().some((c) => c.topology === t.name)).toBe(false);
    // Our tables and qdiscs lived inside the namespaces; the host's ruleset and qdiscs never held any.
    expect((await run('nft', ['list', 'ruleset'])).stdout).not.toContain('wrh-');
    expect((await run('tc', ['qdisc', 'show'])).stdout).not.toContain('tbf');
  });

  it('reports namespaces that still held a process when destroyed', async () => {
    const t = await topology(['solo']);
    const line = netnsCommand(t.peer('solo').ns, 'sleep', ['30']);
    const child = spawn(line.command, line.args, { stdio: 'ignore' });
    try {
      await expect.poll(async () => (await run('ip', ['netns', 'pids', t.peer('solo').ns])).stdout.trim()).not.toBe('');
      const err = await t.destroy().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(HarnessError);
      expect((err as HarnessError).code).toBe('ERR_NETNS_BUSY');
      expect((err as HarnessError).context.busy).toEqual({ [t.peer('solo').ns]: [child.pid] });
      expect(await ourNamespaces(t)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
    await t.destroy(); // nothing left: no error now
  });

  it('sweepStale() removes unclaimed leftovers of this harness only, never a live topology', async () => {
    const live = await topology();
    const leftover = `wrh-${uniqueName()}-hub`;
    strays.push(leftover);
    await run('ip', ['netns', 'add', leftover]);

    const result = await sweepStale();
    expect(result.namespaces).toContain(leftover);
    const remaining = await listNamespaces();
    expect(remaining).not.toContain(leftover);
    expect(remaining).toEqual(expect.arrayContaining(live.namespaces()));
    expect(await pingOnce(live.peer('sender').ns, live.peer('receiver').address)).toBe(true);

    const err = await sweepStale('').then(() => undefined, (e: unknown) => e);
    expect((err as HarnessError).code).toBe('ERR_CONFIG');
  });

  it('rejects bad names before creating anything', async () => {
    const attempts = [{ name: 'Bad Name', peers: ['a'] }, { name: uniqueName(), peers: ['hub'] }, { name: uniqueName(), peers: ['a', 'a'] }, { name: uniqueName(), peers: [] }];
    for (const opts of attempts) {
      const err = await createTopology(opts).then((t) => t.destroy().then(() => undefined), (e: unknown) => e);
      expect((err as HarnessError).code).toBe('ERR_CONFIG');
    }
    const names = await listNamespaces();
    expect(names.filter((ns) => attempts.some((a) => ns.startsWith(`wrh-${a.name}-`)))).toEqual([]);
    expect(readClaims().filter((c) => attempts.some((a) => a.name === c.topology))).toEqual([]);
  });

  it('knows whether the kernel has netem, probing in a scratch namespace it removes', async () => {
    const netem = await hasNetem();
    console.info(`netem available: ${netem}`);
    expect(typeof netem).toBe('boolean');
    expect((await listNamespaces()).filter((ns) => ns.startsWith('wrh-probe-'))).toEqual([]);
    expect(path.isAbsolute(NETNS_REGISTRY_DIR)).toBe(true);
  });
});
