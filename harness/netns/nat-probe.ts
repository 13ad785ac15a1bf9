/**
 * Run INSIDE a peer's namespace by classify-nat.ts (bundled, `node -e`), or by hand:
 *
 *   ip netns exec <ns> node --import tsx harness/netns/nat-probe.ts <stun-host> <port> \
 *       [--local <peer address>] [--tcp <host>:<port> ...] [--timeout-ms 1500]
 *
 * Prints one JSON line: the RFC 5780 behaviour (turn/nat-behaviour.ts) and, for each --tcp
 * target, whether a TCP connect there is 'open', 'refused' (the SYN got through, nothing listens)
 * or 'filtered' (no answer: a firewall dropped it). Exit 0 with a result, 1 on an error.
 */
import net from 'node:net';

import { discoverNatBehaviour } from '../../turn/nat-behaviour.js';

export type TcpReach = 'open' | 'refused' | 'filtered';

export interface NatProbeResult {
  behaviour: Awaited<ReturnType<typeof discoverNatBehaviour>>;
  tcp: Array<{ host: string; port: number; reach: TcpReach }>;
}

function tcpReach(host: string, port: number, timeoutMs: number): Promise<TcpReach> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reach: TcpReach): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(reach);
    };
    const timer = setTimeout(() => done('filtered'), timeoutMs);
    socket.once('connect', () => done('open'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : 'filtered'));
  });
}

function flagValues(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag && args[i + 1] !== undefined ? [args[i + 1]!] : []));
}

async function main(argv: string[]): Promise<void> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const [host, port] = args;
  const timeoutMs = Number(flagValues(args, '--timeout-ms')[0] ?? 1_500);
  const local = flagValues(args, '--local')[0];
  const tcpTargets = flagValues(args, '--tcp').map((t) => {
    const at = t.lastIndexOf(':');
    return { host: t.slice(0, at), port: Number(t.slice(at + 1)) };
  });
  const [behaviour, tcp] = await Promise.all([
    discoverNatBehaviour({ host: host!, port: Number(port), answerTimeoutMs: timeoutMs }, local),
    Promise.all(tcpTargets.map(async (t) => ({ ...t, reach: await tcpReach(t.host, t.port, timeoutMs) }))),
  ]);
  const result: NatProbeResult = { behaviour, tcp };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

try {
  await main(process.argv.slice(1));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
