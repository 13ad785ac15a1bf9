import net from 'node:net';

import { HarnessError } from '../errors.js';
import type { ProxyToxics } from './control-protocol.js';
import { validateToxics } from './validate-toxics.js';

/** The fault proxy CLI's flags, parsed apart from the process so they can be tested in process. */

const DEFAULT_LISTEN = '127.0.0.1:3479';
/** Toxiproxy's control port, so muscle memory works. */
const DEFAULT_CONTROL = '127.0.0.1:8474';
const MAX_PORT = 65_535;
export const USAGE = "usage: fault-proxy --upstream HOST:PORT [--listen 127.0.0.1:3479 (port 0 = any free)] [--control 127.0.0.1:8474] [--toxics '<json>']";

export interface HostPort { host: string; port: number }

export interface CliConfig {
  listen: HostPort;
  upstream: HostPort;
  control: HostPort;
  toxics: ProxyToxics;
}

/** A flag problem: the CLI prints it as one ERR_CONFIG line and exits 1. */
export class ConfigError extends Error {}

/** `127.0.0.1:3479` or `[::1]:3479`; a bare IPv6 address is ambiguous and refused. */
function parseHostPort(flag: string, value: string, minPort: number): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(value);
  if (!match) throw new ConfigError(`${flag} must be HOST:PORT (IPv6 as [::1]:PORT), got '${value}'`);
  const host = match[1] ?? match[2] ?? '';
  if (match[1] !== undefined && !net.isIPv6(host)) throw new ConfigError(`${flag}: '${host}' in brackets is not an IPv6 address`);
  const port = Number(match[3]);
  if (port < minPort || port > MAX_PORT) throw new ConfigError(`${flag} port must be between ${minPort} and ${MAX_PORT}, got ${port}`);
  return { host, port };
}

function parseToxicsFlag(value: string): ProxyToxics {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(`--toxics must be a JSON object, e.g. '{"lossPercent":5,"delayMs":100}', got '${value}'`);
  }
  try {
    return validateToxics(parsed);
  } catch (err) {
    throw new ConfigError(`--toxics: ${err instanceof HarnessError ? err.message.split('\n')[0]!.replace(/^ERR_CONFIG: /, '') : String(err)}`);
  }
}

/** Accepts `--flag value` and `--flag=value`; anything else is refused rather than guessed at. */
export function parseCliArgs(argv: readonly string[]): CliConfig {
  const config: Omit<CliConfig, 'upstream'> & { upstream?: HostPort } = {
    listen: parseHostPort('--listen', DEFAULT_LISTEN, 0),
    control: parseHostPort('--control', DEFAULT_CONTROL, 0),
    toxics: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!['--listen', '--upstream', '--control', '--toxics'].includes(flag)) throw new ConfigError(`unknown argument '${arg}'; ${USAGE}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new ConfigError(`${flag} needs a value; ${USAGE}`);
    if (flag === '--listen') config.listen = parseHostPort(flag, value, 0);
    else if (flag === '--upstream') config.upstream = parseHostPort(flag, value, 1);
    else if (flag === '--control') config.control = parseHostPort(flag, value, 0);
    else config.toxics = parseToxicsFlag(value);
  }
  if (!config.upstream) throw new ConfigError(`--upstream is required (the TURN server, e.g. 127.0.0.1:3478); ${USAGE}`);
  return { ...config, upstream: config.upstream };
}
