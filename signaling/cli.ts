/**
 * Standalone entry: `node --import tsx signaling/cli.ts [--host H] [--port P] [--heartbeat-ms N]`.
 * Prints exactly one line to stdout once listening; the harness parses the port out of it.
 * Any failure is one line on stderr and exit code 1.
 */
import { createSignalingServer, DEFAULT_HEARTBEAT_INTERVAL_MS, SignalingServerError, type SignalingServer } from './server.js';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8787;
/** The harness waits up to 2 s after SIGTERM; leave margin for process teardown itself. */
const SHUTDOWN_DEADLINE_MS = 1_500;
const MAX_PORT = 65_535;

interface CliConfig {
  host: string;
  port: number;
  heartbeatMs: number;
}

const USAGE = 'usage: signaling [--host 127.0.0.1] [--port 8787 (0 = any free port)] [--heartbeat-ms 10000]';

class ConfigError extends Error {}

function parseInteger(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`${flag} must be an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Accepts `--flag value` and `--flag=value`; anything else is refused rather than guessed at. */
function parseCliArgs(argv: readonly string[]): CliConfig {
  const config: CliConfig = { host: DEFAULT_HOST, port: DEFAULT_PORT, heartbeatMs: DEFAULT_HEARTBEAT_INTERVAL_MS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!['--host', '--port', '--heartbeat-ms'].includes(flag)) throw new ConfigError(`unknown argument '${arg}'; ${USAGE}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new ConfigError(`${flag} needs a value; ${USAGE}`);
    if (flag === '--host') config.host = value;
    else if (flag === '--port') config.port = parseInteger(flag, value, 0, MAX_PORT);
    else config.heartbeatMs = parseInteger(flag, value, 1, 2 ** 31 - 1);
  }
  return config;
}

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
  let config: CliConfig;
  try {
    config = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) fail(`ERR_CONFIG: ${err.message}`);
    throw err;
  }
  let server: SignalingServer;
  try {
    server = await createSignalingServer({ host: config.host, port: config.port, heartbeatIntervalMs: config.heartbeatMs });
  } catch (err) {
    if (err instanceof SignalingServerError) fail(err.message);
    throw err;
  }
  exitOnSignals(server);
  process.stdout.write(`signaling listening on ${server.url} (healthz ${server.httpUrl}/healthz)\n`);
}

main().catch((err: unknown) => fail(`unexpected: ${err instanceof Error ? err.message : String(err)}`));
