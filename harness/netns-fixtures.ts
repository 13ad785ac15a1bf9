import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { iceServersFor } from '../turn/credentials.js';
import { launchTurnServer, resolveTurnRuntime, type TurnServer } from '../turn/launcher.js';
import { probeReadyInNetns } from './netns/ready-in-netns.js';
import type { ServedApp } from './app-under-test.js';
import { requireApp } from './require-app.js';
import { resolveChromium } from './browser/chromium-launch.js';
import { closeAll } from './browser/close-peers.js';
import { Peer, profileDirFor } from './browser/peer.js';
import { HarnessError } from './errors.js';
import { provideChaos } from './faults/chaos-fixture.js';
import type { NetFaultContext } from './faults/net-context.js';
import { missingNeeds } from './faults/needs.js';
import { skipWithReason } from './skip-with-reason.js';
import { test as base, type PeerFactory } from './fixtures.js';
import { browserInNetns } from './netns/chromium-in-netns.js';
import { exposeInNetns, type ExposedService } from './netns/expose-in-netns.js';
import { netnsUnavailable } from './netns/needs.js';
import { createTopology, type Topology } from './netns/topology.js';
import type { NatClassification } from './netns/classify-nat.js';
import { DEFAULT_ALLOWED_TCP_PORTS, type NatType } from './netns/nat-router.js';
import { describeNatCheck, selfCheckTopologyNat } from './netns/nat-self-check.js';
import { attachPeerDiagnostics, attachText } from './report/failure-attachments.js';
import { launchSignaling, type SignalingProcess } from './servers/signaling-process.js';

/**
 * The e2e fixtures on the network-namespace topology (harness/netns/README.md): per test, a hub
 * namespace holding coturn, signaling and the app, and one namespace per peer whose browser runs
 * inside it, so net-* faults cut, shape and filter the real WebRTC path. Import `test` from here
 * instead of fixtures.ts; everything else (chaos, makeFile, options) is the same.
 *
 * Per test rather than per worker: building it costs ~3 s (mostly signaling's tsx start), few
 * scenarios use it, and a fresh topology cannot inherit a rule or an allocation from the last test.
 */

/** The two peers every transfer scenario launches (transfer-session.ts). */
const PEER_NAMES = ['sender', 'receiver'];
/** Ports in the hub: our own namespace, so fixed ports cannot clash with anything. */
const HUB_SIGNALING_PORT = 8787;
const HUB_APP_PORT = 8080;
/** Building the topology and starting three servers in it on a loaded 2-core machine. */
const NETNS_SETUP_TIMEOUT_MS = 60_000;

export interface NetnsEnv {
  topology: Topology;
  turn: TurnServer;
  signaling: SignalingProcess;
  /** Where the peers load the app: the hub's service address, across their veth. */
  appUrl: string;
  /** What net-* faults act on (`netCutLink.create(params, netns.faults)`). */
  faults: NetFaultContext;
  /** Each peer's NAT as the self-check measured it (RFC 5780), when a NAT was asked for; else undefined. */
  nat: Record<string, NatClassification> | undefined;
}

export interface NetnsOptions {
  /** The NAT in front of the sender's namespace (harness/netns/NAT.md); 'none' puts it on the hub link itself. */
  natSender: NatType;
  natReceiver: NatType;
}

export interface NetnsFixtures {
  /** The topology and the servers in its hub; the test is skipped, with the reason, where it cannot be built. */
  netns: NetnsEnv;
}

/** Why this machine cannot run netns scenarios, or undefined. */
export function netnsScenarioUnavailable(): string | undefined {
  const reason = netnsUnavailable();
  if (reason) return reason;
  try {
    // coturn must run natively: `ip netns exec` cannot put a Docker container in our hub.
    if (resolveTurnRuntime(undefined).kind !== 'native') return 'needs a native coturn (`turnserver`) to run in the hub namespace; apt-get install -y coturn';
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}


/** Runs every step even when one fails, and reports all failures: teardown must leave nothing. */
async function teardownAll(steps: Array<[string, (() => Promise<void>) | undefined]>): Promise<void> {
  const errors: unknown[] = [];
  for (const [what, step] of steps) {
    if (!step) continue;
    try {
      await step();
    } catch (err) {
      errors.push(new Error(`netns teardown: ${what} failed: ${String(err)}`, { cause: err }));
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `${errors.length} netns teardown step(s) failed`);
}

/**
 * A 'udp-blocked' router lets out TCP 443 and the app's own two servers (the page and signaling
 * must load, as through a corporate proxy); TURN's port and all UDP stay blocked.
 */
const UDP_BLOCKED_ALLOWED_TCP_PORTS = [...DEFAULT_ALLOWED_TCP_PORTS, HUB_APP_PORT, HUB_SIGNALING_PORT];

export const test = base.extend<NetnsOptions & NetnsFixtures>({
  natSender: ['none', { option: true }],
  natReceiver: ['none', { option: true }],

  netns: [
    async ({ appUnderTest, workDir, turnRoute, turnTransports, turnCredentialTtlS, browserName, senderEngine, receiverEngine, natSender, natReceiver }, use, testInfo) => {
      skipWithReason(testInfo, netnsScenarioUnavailable());
      // The `peers` below start Chromium in the namespaces whatever the pair says (the launcher,
      // netns/chromium-in-netns.ts, wraps Chromium only): a pair with another engine skips here,
      // with the reason, instead of passing with Chromium under a Firefox label.
      skipWithReason(testInfo, missingNeeds({ engines: ['chromium'] }, { browserName, engines: [senderEngine, receiverEngine], turnManaged: true }));
      if (turnRoute !== 'direct') {
        throw new HarnessError('ERR_CONFIG', `the netns fixtures run coturn in the hub and support turnRoute 'direct' only (got '${turnRoute}')`, {
          hint: 'Use the fixtures of harness/fixtures.ts for the fault-proxy routes, or net-* faults here.',
        });
      }
      let topology: Topology | undefined;
      let turn: TurnServer | undefined;
      let signaling: SignalingProcess | undefined;
      let appServer: ServedApp | undefined;
      let exposed: ExposedService | undefined;
      try {
        const natted = natSender !== 'none' || natReceiver !== 'none';
        topology = await createTopology({ name: `e${randomBytes(4).toString('hex')}`, peers: PEER_NAMES, nat: { sender: natSender, receiver: natReceiver }, natAllowedTcpPorts: UDP_BLOCKED_ALLOWED_TCP_PORTS });
        const hub = topology.hubNs;
        const service = topology.serviceAddress;
        // A second address turns coturn's RFC 5780 answers on: the self-check below needs them.
        const alternateHost = natted ? topology.alternateServiceAddress : undefined;
        turn = await launchTurnServer({ netns: hub, probeReadyInNetns, host: service, alternateHost, workDir: path.join(workDir, 'turn') });
        let nat: Record<string, NatClassification> | undefined;
        if (natted) {
          // Before any browser starts: a scenario must never run on a NAT that is not the one it names.
          nat = await selfCheckTopologyNat(topology, { host: service, port: turn.port });
          const summary = describeNatCheck(topology, nat);
          console.info(`NAT self-check (${testInfo.title}):\n${summary}`);
          await attachText(testInfo, 'nat-self-check.txt', summary);
        }
        signaling = await launchSignaling({ netns: hub, host: service, port: HUB_SIGNALING_PORT, logPath: path.join(workDir, 'signaling.log') });
        const turnAt = turn;
        const signalingUrl = signaling.url;
        // The app server runs here, in the root namespace, and appears in the hub through a Unix-socket bridge.
        appServer = await requireApp(appUnderTest).serve({
          host: '127.0.0.1',
          port: 0,
          signalingUrl,
          iceServers: () => iceServersFor(turnAt, { user: 'peer', ttlSeconds: turnCredentialTtlS, transports: turnTransports }),
        });
        exposed = await exposeInNetns({ ns: hub, host: service, port: HUB_APP_PORT, targetHost: '127.0.0.1', targetPort: appServer.port, dir: workDir });
        await use({ topology, turn, signaling, appUrl: exposed.url, faults: { topology, stunPort: turn.port }, nat });
      } finally {
        if (testInfo.status !== testInfo.expectedStatus) {
          if (signaling) await attachText(testInfo, 'signaling.log', signaling.logTail(200));
          if (turn) await attachText(testInfo, 'turn.log', turn.logTail(200));
        }
        // Servers first, the namespaces last: a namespace still holding a process is reported busy.
        await teardownAll([
          ['closing the app bridge', exposed && (() => exposed!.close())],
          ['closing the app server', appServer && (() => appServer!.close())],
          ['stopping signaling', signaling && (() => signaling!.stop())],
          ['stopping coturn', turn && (() => turn!.dispose())],
          ['deleting the namespaces', topology && (() => topology!.destroy())],
        ]);
      }
    },
    { timeout: NETNS_SETUP_TIMEOUT_MS },
  ],

  peers: async ({ netns, workDir, headless }, use, testInfo) => {
    const origin = new URL(netns.appUrl);
    // The app is served over plain http from a namespace address; crypto.randomUUID and friends need a secure context.
    const secureOrigins = `--unsafely-treat-insecure-origin-as-secure=${origin.origin},${netns.signaling.httpUrl},${netns.signaling.url}`;
    const launched: Peer[] = [];
    const factory: PeerFactory = {
      async launch(name) {
        const node = netns.topology.peer(name);
        const browser = browserInNetns(resolveChromium(), node.ns, workDir, [secureOrigins]);
        const peer = await Peer.launch({ name, browser, headless, profileDir: profileDirFor(workDir, name) });
        launched.push(peer);
        return peer;
      },
      get all() {
        return launched;
      },
    };
    try {
      await use(factory);
      if (testInfo.status !== testInfo.expectedStatus) await attachPeerDiagnostics(testInfo, launched);
    } finally {
      // Before the namespaces go (this fixture depends on netns, so it is torn down first).
      await closeAll(launched);
    }
  },

  app: async ({ appUnderTest, netns, chunkSizeBytes, iceTransportPolicy, recovery }, use) => {
    await use(requireApp(appUnderTest).adapter({ appUrl: netns.appUrl, chunkSizeBytes, iceTransportPolicy, recovery }));
  },

  // As in fixtures.ts (and auto like it: an override given without options inherits them), but
  // depending on netns, so that its heal-all runs BEFORE the namespaces are deleted.
  chaos: async ({ netns }, use, testInfo) => {
    void netns;
    await provideChaos(testInfo, use);
  },

  // The namespace launcher wraps Chromium only: pass the pair's engines so a Firefox pair skips
  // (with the reason) instead of silently running Chromium under a Firefox label.
  requireNeeds: async ({ netns, browserName, senderEngine, receiverEngine }, use, testInfo) => {
    await use((needs) => skipWithReason(testInfo, missingNeeds(needs, { browserName, engines: [senderEngine, receiverEngine], turnManaged: netns.turn.managed })));
  },
});

export { expect } from '@playwright/test';
