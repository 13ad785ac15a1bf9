import { createHmac } from 'node:crypto';
import net from 'node:net';

import { HarnessError } from '../lib/errors.js';

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest), what coturn checks with
 * `use-auth-secret`: the username is `<expiry unix seconds>:<user>` and the password is
 * base64(HMAC-SHA1(secret, username)). The server needs no per-user state, and a credential
 * stops working on its own once the expiry passes.
 */

export type TurnTransport = 'udp' | 'tcp';

/** The shape of an RTCIceServer, declared here so Node code does not depend on DOM types. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface TurnCredential {
  username: string;
  credential: string;
  expiresAtMs: number;
}

export interface MintOptions {
  secret: string;
  user: string;
  /** Negative values mint an already-expired credential, which is how tests provoke a 401. */
  ttlSeconds: number;
  nowMs?: number;
}

export function mintTurnCredential({ secret, user, ttlSeconds, nowMs = Date.now() }: MintOptions): TurnCredential {
  if (!secret) throw new HarnessError('ERR_CONFIG', 'cannot mint a TURN credential with an empty secret', { hint: 'Pass the static-auth-secret the TURN server was started with (TURN_SECRET for an external server).' });
  if (!user) throw new HarnessError('ERR_CONFIG', 'cannot mint a TURN credential for an empty user', { hint: 'Pass a peer id or test name as the user.' });
  if (!Number.isFinite(ttlSeconds)) throw new HarnessError('ERR_CONFIG', `ttlSeconds must be a finite number, got ${ttlSeconds}`, { context: { ttlSeconds } });
  const expiryUnixSeconds = Math.floor(nowMs / 1000) + Math.trunc(ttlSeconds);
  const username = `${expiryUnixSeconds}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAtMs: expiryUnixSeconds * 1000 };
}

/** An IPv6 literal needs brackets in a TURN URI (RFC 7065), or its colons read as the port. */
function hostForUri(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

export function turnUri(host: string, port: number, transport: TurnTransport): string {
  return `turn:${hostForUri(host)}:${port}?transport=${transport}`;
}

export function stunUri(host: string, port: number): string {
  return `stun:${hostForUri(host)}:${port}`;
}

export interface IceServersOptions {
  user: string;
  ttlSeconds: number;
  /** Which TURN transports to offer; both by default. Offer only 'tcp' to force TURN over TCP. */
  transports?: TurnTransport[];
  nowMs?: number;
}

/** The iceServers entry a peer needs for this TURN server: a fresh credential plus the server's STUN URI. */
export function iceServersFor(turn: { host: string; port: number; secret: string }, opts: IceServersOptions): IceServer[] {
  const { username, credential } = mintTurnCredential({ secret: turn.secret, user: opts.user, ttlSeconds: opts.ttlSeconds, nowMs: opts.nowMs });
  const transports = opts.transports ?? ['udp', 'tcp'];
  return [
    { urls: transports.map((t) => turnUri(turn.host, turn.port, t)), username, credential },
    { urls: stunUri(turn.host, turn.port) },
  ];
}
