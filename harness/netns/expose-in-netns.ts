import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ManagedProcess, waitFor } from '../process/managed-process.js';
import { nodeScriptInNetns } from './node-in-netns.js';

const BRIDGE_PATH = fileURLToPath(new URL('./tcp-bridge.ts', import.meta.url));
const BRIDGE_START_TIMEOUT_MS = 15_000;
const BRIDGE_POLL_MS = 50;

export interface ExposeOptions {
  /** The namespace where the service must appear (the hub). */
  ns: string;
  /** Where it appears there, e.g. the topology's serviceAddress and a port of our choice. */
  host: string;
  port: number;
  /** The real server, in the root namespace. */
  targetHost: string;
  targetPort: number;
  /** The Unix socket and the bridge's log go here (a directory the caller removes). */
  dir: string;
}

export interface ExposedService {
  /** http://host:port/ as seen from inside the namespaces. */
  readonly url: string;
  readonly bridgePid: number | undefined;
  close(): Promise<void>;
}

/**
 * Makes a TCP server of the root namespace reachable at host:port inside `ns`, through a Unix
 * socket (tcp-bridge.ts): browsers in the peer namespaces load the harness's in-process app
 * server over their veth like any web server, and a cut link cuts it too.
 */
export async function exposeInNetns(opts: ExposeOptions): Promise<ExposedService> {
  const socketPath = path.join(opts.dir, `expose-${opts.port}.sock`);
  fs.rmSync(socketPath, { force: true });
  const sockets = new Set<net.Socket>();
  const unixServer = net.createServer((inbound) => {
    const upstream = net.connect(opts.targetPort, opts.targetHost);
    sockets.add(inbound).add(upstream);
    inbound.pipe(upstream).pipe(inbound);
    const end = (): void => {
      inbound.destroy();
      upstream.destroy();
      sockets.delete(inbound);
      sockets.delete(upstream);
    };
    inbound.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve, reject) => {
    unixServer.once('error', reject);
    unixServer.listen(socketPath, () => resolve());
  });
  const closeUnix = (): Promise<void> =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      unixServer.close(() => resolve());
    });

  const logPath = path.join(opts.dir, `expose-${opts.port}.log`);
  const bridge = new ManagedProcess({ label: `bridge:${opts.ns}:${opts.port}`, ...nodeScriptInNetns(opts.ns, BRIDGE_PATH, [opts.host, String(opts.port), socketPath]), logPath });
  bridge.start();
  try {
    const outcome = await waitFor(
      async () => {
        if (!bridge.running) return 'exited' as const; // ends the poll at once, not at the deadline
        return fs.readFileSync(logPath, 'utf8').includes('tcp-bridge listening') ? ('listening' as const) : undefined;
      },
      { timeoutMs: BRIDGE_START_TIMEOUT_MS, intervalMs: BRIDGE_POLL_MS, what: `the bridge to listen on ${opts.host}:${opts.port} in ${opts.ns}` },
    );
    if (outcome === 'exited') throw new Error(`the bridge exited with code ${await bridge.exited()}`);
  } catch (err) {
    await bridge.kill();
    await closeUnix();
    throw bridge.startError('ERR_APP_SERVER_START_FAILED', `could not expose ${opts.targetHost}:${opts.targetPort} at ${opts.host}:${opts.port} in namespace ${opts.ns}`, 'Read the bridge log above; the namespace must exist and the port be free in it.', err);
  }
  return {
    url: `http://${opts.host}:${opts.port}/`,
    get bridgePid() {
      return bridge.pid;
    },
    async close() {
      await bridge.stop();
      await closeUnix();
      fs.rmSync(socketPath, { force: true });
    },
  };
}
