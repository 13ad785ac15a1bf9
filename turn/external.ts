import net from 'node:net';

import { HarnessError } from '../lib/errors.js';
import { DEFAULT_TURN_REALM } from './config.js';
import { iceServersFor, stunUri, turnUri, type IceServer, type TurnTransport } from './credentials.js';
import type { TurnEndpoint } from './types.js';

/**
 * A TURN server the user runs (see turn/README.md), described by environment variables:
 *   TURN_URL=turn:127.0.0.1:3478   TURN_SECRET=<static-auth-secret>   TURN_REALM=<realm, optional>
 * The harness only mints credentials for it; it never stops or kills it.
 */

export interface ExternalTurnServer extends TurnEndpoint {
  readonly managed: false;
}

const DEFAULT_TURN_PORT = 3478;
const USAGE = 'Set TURN_URL=turn:<host>:<port> (e.g. turn:127.0.0.1:3478) and TURN_SECRET to coturn\'s static-auth-secret, or unset both to let the harness launch coturn.';
/** turn:host[:port][?transport=udp|tcp]; the host may be a bracketed IPv6 literal (RFC 7065). */
const TURN_URI = /^turn:(\[[0-9a-fA-F:.]+\]|[^:?[\]/\s]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/;

function configError(message: string, variable: string, value?: string): HarnessError {
  return new HarnessError('ERR_CONFIG', message, { context: { variable, value }, hint: USAGE });
}

export function parseTurnUrl(url: string): { host: string; port: number } {
  if (url.startsWith('turns:')) throw configError(`TURN_URL=${url} uses turns: (TLS), which the harness does not speak`, 'TURN_URL', url);
  const match = TURN_URI.exec(url.trim());
  if (!match) throw configError(`TURN_URL=${url} is not a turn: URI like turn:127.0.0.1:3478`, 'TURN_URL', url);
  const host = match[1]!.replace(/^\[(.*)\]$/, '$1');
  if (match[1]!.startsWith('[') && !net.isIPv6(host)) throw configError(`TURN_URL=${url} has an invalid IPv6 address`, 'TURN_URL', url);
  const port = match[2] === undefined ? DEFAULT_TURN_PORT : Number(match[2]);
  if (port < 1 || port > 65_535) throw configError(`TURN_URL=${url} has port ${port}, outside 1-65535`, 'TURN_URL', url);
  return { host, port };
}

async function refuse(action: string): Promise<never> {
  throw new HarnessError('ERR_CONFIG', `cannot ${action} an external TURN server`, {
    hint: 'Faults that kill or restart TURN need a harness-launched coturn: unset TURN_URL and TURN_SECRET, or skip those scenarios.',
  });
}

/** undefined when neither TURN_URL nor TURN_SECRET is set (the harness should launch its own). */
export function externalTurnFromEnv(env: NodeJS.ProcessEnv = process.env): ExternalTurnServer | undefined {
  const url = env.TURN_URL?.trim();
  const secret = env.TURN_SECRET;
  if (!url && !secret) return undefined;
  if (!url) throw configError('TURN_SECRET is set but TURN_URL is not', 'TURN_URL');
  if (!secret) throw configError(`TURN_URL=${url} is set but TURN_SECRET is not`, 'TURN_SECRET');
  const { host, port } = parseTurnUrl(url);
  const realm = env.TURN_REALM?.trim() || DEFAULT_TURN_REALM;
  const endpoint = { host, port, secret };
  return {
    managed: false,
    host,
    port,
    realm,
    secret,
    urls: { udp: turnUri(host, port, 'udp'), tcp: turnUri(host, port, 'tcp'), stun: stunUri(host, port) },
    iceServers: (user: string, ttlSeconds: number, transports?: TurnTransport[]): IceServer[] => iceServersFor(endpoint, { user, ttlSeconds, transports }),
    logTail: () => `(external TURN server at ${url}: its log is not available to the harness)`,
    kill: () => refuse('kill'),
    restart: () => refuse('restart'),
    stop: async () => undefined,
    dispose: async () => undefined,
  };
}
