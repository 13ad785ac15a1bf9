/**
 * Standalone entry: `node --import tsx signaling/cli.ts [--config file.json] [--host H] [--port P]
 * [--heartbeat-ms N] [--chaos-key K] [--<limit> N]` (config.ts lists them all).
 * Prints exactly one line to stdout once listening; the harness parses the port out of it.
 * Any failure is one line on stderr and exit code 1.
 */
import { ConfigError, loadConfig, type SignalingConfig } from './config.js';
import { createSignalingServer, SignalingServerError, type SignalingServer } from './server.js';

/** The harness waits up to 2 s after SIGTERM; leave margin for process teardown itself. */
const SHUTDOWN_DEADLINE_MS = 1_500;

function fail(line: string): never {
  process.stderr.write(`signaling: ${line}\n`);
  process.exit(1);
}

function exitOnSignals(server: SignalingServer): void {
  let shuttingDown = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (shuttingDown) return; // a second Ctrl-C must not restart the shutdown
    shuttingDown = true;
    process.stderr.write(`signaling: ${sig}, shutting down\n`);
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
    server.shutdown('server shutting down').then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`signaling: shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function main(): Promise<void> {
  let config: SignalingConfig;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(`ERR_CONFIG: ${err.message}`);
    throw err;
  }
  let server: SignalingServer;
  try {
    server = await createSignalingServer({
      host: config.host,
      port: config.port,
      heartbeatIntervalMs: config.heartbeatMs,
      limits: config.limits,
      ...(config.chaosKey === undefined ? {} : { chaosKey: config.chaosKey }),
      ...(config.chaos === undefined ? {} : { chaos: config.chaos }),
    });
  } catch (err) {
    if (err instanceof SignalingServerError) fail(err.message);
    throw err;
  }
  exitOnSignals(server);
  process.stdout.write(`signaling listening on ${server.url} (healthz ${server.httpUrl}/healthz)\n`);
}

main().catch((err: unknown) => fail(`unexpected: ${err instanceof Error ? err.message : String(err)}`));
