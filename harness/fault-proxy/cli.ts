/**
 * Standalone entry, to run the proxy by hand in front of a TURN server:
 *
 *   node --import tsx harness/fault-proxy/cli.ts --upstream 127.0.0.1:3478 \
 *     [--listen 127.0.0.1:3479] [--control 127.0.0.1:8474] [--toxics '{"lossPercent":5}']
 *
 * Prints one line to stdout once listening. A bad flag or a failed start is one line on stderr
 * and exit code 1. SIGTERM/SIGINT close everything and exit 0. Set FAULT_PROXY_TOKEN to require
 * `Authorization: Bearer <token>` on the control API (an env var keeps it out of `ps`).
 */
import net from 'node:net';

import { HarnessError } from '../errors.js';
import { ConfigError, parseCliArgs, type CliConfig } from './cli-args.js';
import { startFaultProxy, type FaultProxy } from './proxy.js';

/** Closing is a few socket closes; past this something hangs and exiting is better than waiting. */
const SHUTDOWN_DEADLINE_MS = 1_500;

function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function fail(line: string): never {
  process.stderr.write(`fault-proxy: ${line}\n`);
  process.exit(1);
}

function exitOnSignals(proxy: FaultProxy): void {
  let shuttingDown = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (shuttingDown) return; // a second Ctrl-C must not start a second shutdown
    shuttingDown = true;
    process.stderr.write(`fault-proxy: ${sig}, shutting down\n`);
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
    proxy.close().then(
      () => process.exit(0),
      (err: unknown) => fail(`shutdown failed: ${String(err)}`),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function main(): Promise<void> {
  let config: CliConfig;
  try {
    config = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) fail(`ERR_CONFIG: ${err.message}`);
    throw err;
  }
  let proxy: FaultProxy;
  try {
    proxy = await startFaultProxy({
      listenHost: config.listen.host,
      listenPort: config.listen.port,
      upstreamHost: config.upstream.host,
      upstreamPort: config.upstream.port,
      controlHost: config.control.host,
      controlPort: config.control.port,
      controlToken: process.env.FAULT_PROXY_TOKEN || undefined,
      toxics: config.toxics,
    });
  } catch (err) {
    // One line: the hint goes on the same line, after the message.
    if (err instanceof HarnessError) fail(`${err.message.split('\n')[0]!}${err.hint ? ` (${err.hint})` : ''}`);
    throw err;
  }
  exitOnSignals(proxy);
  const { host, port, upstream } = proxy;
  process.stdout.write(`fault-proxy listening on udp+tcp ${hostPort(host, port)} → ${hostPort(upstream.host, upstream.port)} (control ${proxy.controlUrl})\n`);
}

main().catch((err: unknown) => fail(`unexpected: ${err instanceof Error ? err.message : String(err)}`));
