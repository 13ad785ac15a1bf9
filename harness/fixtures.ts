import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { externalTurnFromEnv } from '../turn/external.js';
import { iceServersFor, type TurnTransport } from '../turn/credentials.js';
import { launchTurnServer } from '../turn/launcher.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy/proxy.js';
import type { TurnEndpoint } from '../turn/types.js';
import type { TransferApp } from './app-adapter.js';
import type { AppUnderTest, ServedApp } from './app-under-test.js';
import { requireApp } from './require-app.js';
import type { ChaosController } from './faults/chaos-controller.js';
import { provideChaos } from './faults/chaos-fixture.js';
import { attachPeerDiagnostics, attachText } from './report/failure-attachments.js';
import type { FaultNeeds } from './faults/fault.js';
import { missingNeeds } from './faults/needs.js';
import { skipWithReason } from './skip-with-reason.js';
import { browserUnavailable, resolveBrowser, type BrowserEngine } from './browser/engine.js';
import { closeAll } from './browser/close-peers.js';
import { Peer, profileDirFor } from './browser/peer.js';
import { launchSignaling, type SignalingProcess } from './servers/signaling-process.js';
import { makeRandomFile, type TestFile } from './verdict/random-file.js';

/** The signaling server's chaos API key, random per run (the API is off without one). */
export const SIGNALING_CHAOS_KEY = crypto.randomBytes(24).toString('base64url');
/** TURN credentials handed to pages live this long (SEC-3 tests shorten it on purpose). */
const TURN_CREDENTIAL_TTL_S = 3_600;

/**
 * Removes a test's or worker's temp dir. Peer.close waits for every browser process to exit, so
 * nothing should write into it any more; the retries cover what the kernel still holds for a
 * moment (a just-reaped process's open files) on a loaded machine, instead of failing the test on
 * ENOTEMPTY/EBUSY.
 */
function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}

export interface HarnessOptions {
  /** Chunk payload size the app is asked to use (bytes). */
  chunkSizeBytes: number;
  /** `relay` forces every peer through TURN. */
  iceTransportPolicy: 'all' | 'relay';
  /**
   * How pages reach TURN: `direct` to coturn; `proxy` through the fault proxy (so turn-proxy-*
   * faults can act on the path); `dead-first` lists an unreachable TURN server before the real one.
   */
  turnRoute: 'direct' | 'proxy' | 'dead-first';
  /** TURN transports offered to the pages. */
  turnTransports: TurnTransport[];
  /** Lifetime of the TURN credentials handed to pages; negative mints already-expired ones. */
  turnCredentialTtlS: number;
  /** The engine of the peer named `sender` (and any name not starting with `receiver`). */
  senderEngine: BrowserEngine;
  /** The engine of the peer named `receiver` (or `receiver…`). */
  receiverEngine: BrowserEngine;
  /** How the bundled app recovers a dead path; `undefined`: the app's default (new-peer, app-under-test/config.ts). */
  recovery: 'ice-restart' | 'new-peer' | undefined;
}

/** What /api/config hands out; the test-scoped `iceRoute` fixture sets it from the options. */
interface IceRoute {
  route: HarnessOptions['turnRoute'];
  transports: TurnTransport[];
  ttlSeconds: number;
}

export interface HarnessWorkerOptions {
  /** The app the suite tests (its server and page adapter); unset, a test that needs the app fails saying so. */
  appUnderTest: AppUnderTest | undefined;
}

export interface HarnessWorkerFixtures extends HarnessWorkerOptions {
  workerDir: string;
  turn: TurnEndpoint;
  /** A fault proxy in front of coturn (no root needed); used when `turnRoute` is `proxy`. */
  turnProxy: FaultProxy;
  /** A second proxy that blackholes everything: the "unreachable TURN server" of TURN-3. */
  deadTurn: FaultProxy;
  iceRouteState: IceRoute;
  signaling: SignalingProcess;
  appServer: ServedApp;
}

export interface PeerFactory {
  /** Launches a peer as its own browser process with its own profile dir. */
  launch(name: string): Promise<Peer>;
  readonly all: readonly Peer[];
}

export interface HarnessFixtures {
  /** Applies the turn* options to what the app server hands out, for this test only. */
  iceRoute: IceRoute;
  workDir: string;
  /** Injects faults and heals every one of them in teardown, even when the test fails. */
  chaos: ChaosController;
  /** Skips the test, with the reason printed, when a fault's needs are missing here. */
  requireNeeds(needs: FaultNeeds): void;
  peers: PeerFactory;
  app: TransferApp;
  makeFile(sizeBytes: number, name?: string): Promise<TestFile>;
}


export const test = base.extend<HarnessOptions & HarnessFixtures, HarnessWorkerFixtures>({
  appUnderTest: [undefined, { option: true, scope: 'worker' }],
  chunkSizeBytes: [128 * 1024, { option: true }],
  iceTransportPolicy: ['all', { option: true }],
  turnRoute: ['direct', { option: true }],
  turnTransports: [['udp', 'tcp'], { option: true }],
  turnCredentialTtlS: [TURN_CREDENTIAL_TTL_S, { option: true }],
  senderEngine: ['chromium', { option: true }],
  receiverEngine: ['chromium', { option: true }],
  recovery: [undefined, { option: true }],

  workerDir: [
    async ({}, use, workerInfo) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `harness-w${workerInfo.workerIndex}-`));
      await use(dir);
      removeTempDir(dir);
    },
    { scope: 'worker' },
  ],

  turn: [
    async ({ workerDir }, use) => {
      const turn = externalTurnFromEnv() ?? (await launchTurnServer({ workDir: path.join(workerDir, 'turn') }));
      try {
        await use(turn);
      } finally {
        await turn.dispose();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  turnProxy: [
    async ({ turn }, use) => {
      const proxy = await startFaultProxy({ upstreamHost: turn.host, upstreamPort: turn.port });
      try {
        await use(proxy);
      } finally {
        await proxy.close();
      }
    },
    { scope: 'worker' },
  ],

  deadTurn: [
    async ({ turn }, use) => {
      const proxy = await startFaultProxy({ upstreamHost: turn.host, upstreamPort: turn.port, toxics: { blackhole: true } });
      try {
        await use(proxy);
      } finally {
        await proxy.close();
      }
    },
    { scope: 'worker' },
  ],

  iceRouteState: [async ({}, use) => use({ route: 'direct', transports: ['udp', 'tcp'], ttlSeconds: TURN_CREDENTIAL_TTL_S }), { scope: 'worker' }],

  iceRoute: [
    async ({ iceRouteState, turnRoute, turnTransports, turnCredentialTtlS }, use) => {
      Object.assign(iceRouteState, { route: turnRoute, transports: turnTransports, ttlSeconds: turnCredentialTtlS });
      await use(iceRouteState);
      Object.assign(iceRouteState, { route: 'direct', transports: ['udp', 'tcp'], ttlSeconds: TURN_CREDENTIAL_TTL_S });
    },
    { auto: true },
  ],

  signaling: [
    async ({ workerDir }, use) => {
      const signaling = await launchSignaling({ logPath: path.join(workerDir, 'signaling.log'), chaosKey: SIGNALING_CHAOS_KEY });
      try {
        await use(signaling);
      } finally {
        await signaling.stop();
      }
    },
    { scope: 'worker', timeout: 30_000 },
  ],

  appServer: [
    async ({ appUnderTest, turn, signaling, turnProxy, deadTurn, iceRouteState }, use) => {
      const serversVia = (host: string, port: number) =>
        iceServersFor({ host, port, secret: turn.secret }, { user: 'peer', ttlSeconds: iceRouteState.ttlSeconds, transports: iceRouteState.transports });
      const server = await requireApp(appUnderTest).serve({
        host: '127.0.0.1',
        port: 0,
        signalingUrl: signaling.url,
        iceServers: () =>
          iceRouteState.route === 'proxy'
            ? serversVia(turnProxy.host, turnProxy.port)
            : iceRouteState.route === 'dead-first'
              ? [...serversVia(deadTurn.host, deadTurn.port).slice(0, 1), ...serversVia(turn.host, turn.port)]
              : serversVia(turn.host, turn.port),
      });
      try {
        await use(server);
      } finally {
        await server.close();
      }
    },
    { scope: 'worker' },
  ],

  workDir: async ({}, use, testInfo) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `harness-t${testInfo.workerIndex}-`));
    await use(dir);
    removeTempDir(dir);
  },

  peers: async ({ workDir, headless, signaling, turn, senderEngine, receiverEngine }, use, testInfo) => {
    // A project whose browser is missing skips, saying which and how to get it; it never passes.
    const unavailable = [...new Set([senderEngine, receiverEngine])].map((e) => browserUnavailable(e)).filter((r) => r !== undefined);
    skipWithReason(testInfo, unavailable.length > 0 ? unavailable.join('; ') : undefined);
    const engineFor = (name: string): BrowserEngine => (name.startsWith('receiver') ? receiverEngine : senderEngine);
    const launched: Peer[] = [];
    await use({
      async launch(name) {
        const peer = await Peer.launch({ name, browser: resolveBrowser(engineFor(name)), headless, profileDir: profileDirFor(workDir, name) });
        launched.push(peer);
        return peer;
      },
      get all() {
        return launched;
      },
    });
    if (testInfo.status !== testInfo.expectedStatus) {
      await attachPeerDiagnostics(testInfo, launched);
      await attachText(testInfo, 'signaling.log', signaling.logTail(200));
      await attachText(testInfo, 'turn.log', turn.logTail(200));
    }
    await closeAll(launched);
  },

  app: async ({ appUnderTest, appServer, chunkSizeBytes, iceTransportPolicy, recovery }, use) => {
    await use(requireApp(appUnderTest).adapter({ appUrl: appServer.url, chunkSizeBytes, iceTransportPolicy, recovery }));
  },

  // Auto, so every test gets its timeline attached, whether or not it injected anything.
  chaos: [async ({}, use, testInfo) => provideChaos(testInfo, use), { auto: true }],

  requireNeeds: async ({ turn, browserName, senderEngine, receiverEngine }, use, testInfo) => {
    // Either peer may be the one a fault acts on: both engines of the pair must be supported.
    await use((needs) => skipWithReason(testInfo, missingNeeds(needs, { browserName, engines: [senderEngine, receiverEngine], turnManaged: turn.managed })));
  },

  makeFile: async ({ workDir }, use) => {
    await use((sizeBytes, name) => makeRandomFile(workDir, sizeBytes, name));
  },
});

export { expect } from '@playwright/test';
