import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { chromiumArgs, resolveChromium } from '../../harness/browser/chromium-launch.js';
import { browserInNetns, chromiumWrapperFor } from '../../harness/netns/chromium-in-netns.js';
import { netnsCommand, runIn } from '../../harness/netns/exec.js';
import { ManagedProcess, waitFor } from '../../harness/process/managed-process.js';
import { DEFAULT_TURN_REALM, turnConfigText, turnPaths } from '../../turn/config.js';
import { iceServersFor, type IceServer } from '../../turn/credentials.js';
import { netnsUnavailable } from '../../harness/netns/needs.js';
import { createTopology, type Topology } from '../../harness/netns/topology.js';

// Real Chromium in peer namespaces. Kept short: two cores are shared with other browsers.

function browserMissing(): string | undefined {
  try {
    resolveChromium();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const unavailable = netnsUnavailable() ?? browserMissing();
if (unavailable) console.warn(`netns Chromium tests skipped: ${unavailable}`);

const BROWSER_TEST_TIMEOUT_MS = 120_000;
/** Held long enough that a dead path is unmistakable, short of ICE consent expiry (30 s). */
const CUT_HOLD_MS = 3_000;
/** A message already on the wire when the cut lands may still arrive this long after. */
const IN_FLIGHT_GRACE_MS = 200;
const PING_INTERVAL_MS = 50;
const RECOVERY_BOUND_MS = 20_000;
const CONNECT_BOUND_MS = 30_000;
const THROUGHPUT_BYTES = 8 * 1024 * 1024;
const RELAY_THROUGHPUT_BYTES = 4 * 1024 * 1024;
const TURN_PORT = 3478;
const TURN_RELAY_PORTS: [number, number] = [49_160, 49_200];

/**
 * Page side, as a string: the functions run in the browser untouched by the test transpiler.
 * Signaling goes out through window.signal (page.exposeFunction) and comes in through rtc.onSignal,
 * in order (a candidate must not overtake the description it belongs to).
 */
function pageScript(config: { iceServers: IceServer[] }): string {
  return `
window.rtc = (() => {
  const pc = new RTCPeerConnection(${JSON.stringify(config)});
  const rtc = { pc, channel: null, pings: [], bytes: 0, lastByteAt: 0, iceStates: [], queue: Promise.resolve() };
  const send = (m) => window.signal(JSON.stringify(m));
  pc.onicecandidate = (e) => { if (e.candidate) send({ candidate: e.candidate.toJSON() }); };
  pc.oniceconnectionstatechange = () => rtc.iceStates.push(Date.now() + ' ' + pc.iceConnectionState);
  const adopt = (ch) => {
    ch.binaryType = 'arraybuffer';
    rtc.channel = ch;
    ch.onmessage = (e) => {
      if (typeof e.data === 'string') rtc.pings.push({ seq: Number(e.data), at: Date.now() });
      else { rtc.bytes += e.data.byteLength; rtc.lastByteAt = Date.now(); }
    };
  };
  pc.ondatachannel = (e) => adopt(e.channel);
  rtc.offer = async () => {
    adopt(pc.createDataChannel('probe'));
    await pc.setLocalDescription(await pc.createOffer());
    send({ description: pc.localDescription.toJSON() });
  };
  rtc.onSignal = (text) => {
    const m = JSON.parse(text);
    rtc.queue = rtc.queue.then(async () => {
      if (m.candidate) return pc.addIceCandidate(m.candidate);
      await pc.setRemoteDescription(m.description);
      if (m.description.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        send({ description: pc.localDescription.toJSON() });
      }
    });
  };
  rtc.selectedPair = async () => {
    const stats = [...(await pc.getStats()).values()];
    const transport = stats.find((s) => s.type === 'transport');
    const pair = stats.find((s) => s.id === transport.selectedCandidatePairId);
    const local = stats.find((s) => s.id === pair.localCandidateId);
    const remote = stats.find((s) => s.id === pair.remoteCandidateId);
    return { local: local.address, localType: local.candidateType, remote: remote.address, remoteType: remote.candidateType };
  };
  rtc.sendBulk = async (total) => {
    const ch = rtc.channel;
    const chunk = new Uint8Array(64 * 1024);
    ch.bufferedAmountLowThreshold = 1024 * 1024;
    const startedAt = Date.now();
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (ch.bufferedAmount > 4 * 1024 * 1024) await new Promise((r) => (ch.onbufferedamountlow = r));
      ch.send(chunk);
    }
    return startedAt;
  };
  rtc.startPings = (intervalMs) => {
    let seq = 0;
    rtc.timer = setInterval(() => rtc.channel.send(String(seq++)), intervalMs);
  };
  return rtc;
})();
`;
}

interface Rtc {
  channel: RTCDataChannel | null;
  pings: Array<{ seq: number; at: number }>;
  bytes: number;
  lastByteAt: number;
  iceStates: string[];
  offer(): Promise<void>;
  onSignal(text: string): void;
  selectedPair(): Promise<{ local: string; localType: string; remote: string; remoteType: string }>;
  sendBulk(totalBytes: number): Promise<number>;
  startPings(intervalMs: number): void;
}

declare global {
  interface Window {
    rtc: Rtc;
  }
}

interface Launched {
  context: BrowserContext;
  page: Page;
}

describe('Chromium in a peer namespace', () => {
  let topology: Topology | undefined;
  let workDir = '';
  const contexts: BrowserContext[] = [];
  const servers: ManagedProcess[] = [];

  beforeEach(async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrh-chromium-'));
    topology = await createTopology({ name: `c${randomBytes(3).toString('hex')}`, peers: ['sender', 'receiver'] });
  });
  afterEach(async () => {
    // Browsers and servers first: a namespace still holding a process is reported busy by destroy().
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((p) => p.stop()));
    await topology?.destroy();
    topology = undefined;
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  async function launch(peer: string): Promise<Launched> {
    const browser = browserInNetns(resolveChromium(), topology!.peer(peer).ns, workDir);
    const context = await chromium.launchPersistentContext(path.join(workDir, `profile-${peer}`), {
      executablePath: browser.executablePath,
      headless: true,
      // Includes --no-sandbox (root), --disable-gpu, and WebRtcHideLocalIpsWithMdns in the one --disable-features.
      args: chromiumArgs({ headless: true }),
    });
    contexts.push(context);
    const page = context.pages()[0] ?? (await context.newPage());
    return { context, page };
  }

  /** Signaling relayed through Node: each page's window.signal delivers to the other page. */
  async function connect(a: Page, b: Page, config: { iceServers: IceServer[] }): Promise<void> {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      await from.exposeFunction('signal', (text: string) => to.evaluate((m) => window.rtc.onSignal(m), text));
      await from.evaluate(pageScript(config));
    }
    await a.evaluate(() => window.rtc.offer());
    for (const p of [a, b]) await p.waitForFunction(() => window.rtc.channel?.readyState === 'open', undefined, { timeout: CONNECT_BOUND_MS });
  }

  it('gathers its namespace address as its only host candidate', { timeout: BROWSER_TEST_TIMEOUT_MS }, async () => {
    const sender = topology!.peer('sender');
    const wrapper = chromiumWrapperFor(sender.ns, '/usr/bin/chromium', workDir);
    expect(fs.readFileSync(wrapper, 'utf8')).toContain(`exec ip netns exec '${sender.ns}' '/usr/bin/chromium' "$@"`);
    expect(fs.statSync(wrapper).mode & 0o111).toBe(0o111);

    const { page } = await launch('sender');
    const candidates = await page.evaluate(async () => {
      const pc = new RTCPeerConnection();
      pc.createDataChannel('probe');
      const found: string[] = [];
      pc.onicecandidate = (e) => {
        if (e.candidate) found.push(e.candidate.candidate);
      };
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.onicegatheringstatechange = () => {
          if (pc.iceGatheringState === 'complete') resolve();
        };
      });
      pc.close();
      return found;
    });
    console.info(`host candidates in ${sender.ns}: ${candidates.join(' | ')}`);
    const hosts = candidates.filter((c) => c.includes(' typ host'));
    expect(hosts.length).toBeGreaterThan(0);
    for (const c of hosts) expect(c.split(' ')[4]).toBe(sender.address);
    expect(sender.address).toMatch(/^10\.77\./);
  });

  it('connects directly between two namespaces, goes silent when the link is cut, and recovers after restore', { timeout: BROWSER_TEST_TIMEOUT_MS }, async () => {
    const t = topology!;
    const [a, b] = await Promise.all([launch('sender'), launch('receiver')]);
    await connect(a.page, b.page, { iceServers: [] });

    // A direct host-to-host pair, across the hub: no relay exists here.
    const pair = await a.page.evaluate(() => window.rtc.selectedPair());
    expect(pair).toEqual({ local: t.peer('sender').address, localType: 'host', remote: t.peer('receiver').address, remoteType: 'host' });

    // Direct DataChannel throughput between the namespaces (reported, loosely bounded).
    const startedAt = await a.page.evaluate((n) => window.rtc.sendBulk(n), THROUGHPUT_BYTES);
    await b.page.waitForFunction((n) => window.rtc.bytes >= n, THROUGHPUT_BYTES, { timeout: 60_000 });
    const elapsedMs = (await b.page.evaluate(() => window.rtc.lastByteAt)) - startedAt;
    const mbps = (THROUGHPUT_BYTES * 8) / (elapsedMs * 1000);
    console.info(`direct DataChannel: ${THROUGHPUT_BYTES / 1024 / 1024} MiB in ${elapsedMs} ms = ${mbps.toFixed(1)} Mbit/s`);
    expect(mbps).toBeGreaterThan(1);

    await a.page.evaluate((ms) => window.rtc.startPings(ms), PING_INTERVAL_MS);
    await b.page.waitForFunction(() => window.rtc.pings.length >= 5);

    await t.link('sender').cut();
    const cutAt = Date.now();
    await new Promise((r) => setTimeout(r, CUT_HOLD_MS));
    const duringCut = await b.page.evaluate(() => window.rtc.pings.map((p) => p.at));
    const senderChannel = await a.page.evaluate(() => window.rtc.channel?.readyState);
    await t.link('sender').restore();
    const restoredAt = Date.now();

    expect(duringCut.filter((at) => at > cutAt + IN_FLIGHT_GRACE_MS)).toEqual([]);
    // The channel does not notice: it still says 'open' on a dead path. Only missing messages tell.
    expect(senderChannel).toBe('open');

    await b.page.waitForFunction((since) => window.rtc.pings.some((p) => p.at > since), restoredAt, { timeout: RECOVERY_BOUND_MS });
    const pings = await b.page.evaluate(() => window.rtc.pings);
    const firstAfter = pings.find((p) => p.at > restoredAt)!;
    const iceStates = await a.page.evaluate(() => window.rtc.iceStates);
    console.info(`link cut for ${restoredAt - cutAt} ms; first message ${firstAfter.at - restoredAt} ms after restore; sender ICE states: ${iceStates.join(', ')}`);
    // Reliable and ordered: what was sent into the dead path arrives after it, none lost, none twice.
    expect(pings.map((p) => p.seq)).toEqual(pings.map((_, i) => i));
  });

  it('with direct traffic blocked, connects through coturn started in the hub', { timeout: BROWSER_TEST_TIMEOUT_MS }, async () => {
    const t = topology!;
    const turnDir = path.join(workDir, 'turn');
    fs.mkdirSync(turnDir);
    const secret = randomBytes(16).toString('hex');
    // The hub is our own namespace: coturn's standard port cannot clash with anything there.
    const config = turnConfigText({ host: t.serviceAddress, port: TURN_PORT, relayPortRange: TURN_RELAY_PORTS, secret, realm: DEFAULT_TURN_REALM, workDir: turnDir });
    fs.writeFileSync(turnPaths(turnDir).configPath, config);
    const turn = new ManagedProcess({ label: 'turn-in-hub', ...netnsCommand(t.hubNs, 'turnserver', ['-c', turnPaths(turnDir).configPath]), logPath: path.join(turnDir, 'stdout.log') });
    servers.push(turn);
    turn.start();
    // The root namespace cannot reach the service address, so readiness is read from inside the hub.
    await waitFor(async () => ((await runIn(t.hubNs, 'ss', ['-Hlun'])).stdout.includes(`${t.serviceAddress}:${TURN_PORT}`) ? true : undefined), {
      timeoutMs: 10_000,
      what: 'coturn in the hub to listen',
    });

    await t.hub.blockDirectPeerTraffic();
    const [a, b] = await Promise.all([launch('sender'), launch('receiver')]);
    await connect(a.page, b.page, { iceServers: iceServersFor({ host: t.serviceAddress, port: TURN_PORT, secret }, { user: 'netns-test', ttlSeconds: 600, transports: ['udp'] }) });

    const pair = await a.page.evaluate(() => window.rtc.selectedPair());
    console.info(`with direct traffic blocked the selected pair is ${pair.localType} ${pair.local} → ${pair.remoteType} ${pair.remote}`);
    expect([pair.localType, pair.remoteType]).toContain('relay');
    expect(pair.local === t.serviceAddress || pair.remote === t.serviceAddress).toBe(true);

    const startedAt = await a.page.evaluate((n) => window.rtc.sendBulk(n), RELAY_THROUGHPUT_BYTES);
    await b.page.waitForFunction((n) => window.rtc.bytes >= n, RELAY_THROUGHPUT_BYTES, { timeout: 60_000 });
    const elapsedMs = (await b.page.evaluate(() => window.rtc.lastByteAt)) - startedAt;
    console.info(`relayed DataChannel: ${RELAY_THROUGHPUT_BYTES / 1024 / 1024} MiB in ${elapsedMs} ms = ${((RELAY_THROUGHPUT_BYTES * 8) / (elapsedMs * 1000)).toFixed(1)} Mbit/s`);
  });
});
