import { HarnessError } from '../lib/errors.js';
import {
  IPPROTO_UDP,
  StunAttr,
  StunMethod,
  decodeErrorCode,
  decodeMappedAddress,
  decodeXorAddress,
  findStringAttr,
  longTermKey,
  newTransactionId,
  requestedTransportAttr,
  stringAttr,
  u32Attr,
  verifyIntegrity,
  type StunAddress,
  type StunAttribute,
  type StunMessage,
} from './stun-message.js';
import { openStunChannel, type StunChannel, type StunResponse, type StunTransport } from './stun-transport.js';

/**
 * A minimal STUN/TURN client for probing the TURN server the harness runs: a Binding request as
 * the readiness probe, and a real long-term-credential Allocate to prove that the credentials
 * the harness hands to browsers are accepted.
 */

export type { StunAddress } from './stun-message.js';
export type { StunTransport } from './stun-transport.js';

const DEFAULT_TIMEOUT_MS = 2_000;
/** coturn answers a stale nonce with 438 and a fresh NONCE; one retry is what RFC 5389 §10.2.3 asks for. */
const STALE_NONCE = 438;
const UNAUTHORIZED = 401;

export async function stunBinding(host: string, port: number, transport: StunTransport, opts: { timeoutMs?: number } = {}): Promise<{ mappedAddress: StunAddress }> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const channel = await openStunChannel({ host, port, transport }, timeoutMs);
  try {
    const { message } = await channel.request(
      { method: StunMethod.Binding, cls: 'request', transactionId: newTransactionId(), attributes: [] },
      { what: 'STUN Binding', timeoutMs, fingerprint: true },
    );
    const mappedAddress = decodeXorAddress(message, StunAttr.XorMappedAddress) ?? decodeMappedAddress(message);
    if (message.cls !== 'success' || !mappedAddress) {
      const err = decodeErrorCode(message);
      throw new HarnessError('ERR_TURN_UNREACHABLE', `STUN Binding to ${transport}:${host}:${port} got ${message.cls}${err ? ` ${err.code} ${err.reason}` : ''} without a mapped address`, {
        context: { host, port, transport },
        hint: 'Something answered, but not like a STUN server: check that this port belongs to coturn.',
      });
    }
    return { mappedAddress };
  } finally {
    channel.close();
  }
}

export interface TurnAllocateOptions {
  host: string;
  port: number;
  transport: StunTransport;
  username: string;
  password: string;
  /** Realm for the key; defaults to the one the server offers in its 401 (set it to test a mismatch). */
  realm?: string;
  timeoutMs?: number;
}

export type TurnAllocateResult =
  | { ok: true; relayedAddress: StunAddress; mappedAddress: StunAddress | undefined; lifetimeSeconds: number | undefined; released: boolean }
  | { ok: false; errorCode: number; reason: string };

interface AuthState { username: string; realm: string; nonce: string; key: Buffer }

function failure(message: StunMessage, step: string): { ok: false; errorCode: number; reason: string } {
  const err = decodeErrorCode(message);
  return { ok: false, errorCode: err?.code ?? 0, reason: `${step}: ${err?.reason || 'error response without ERROR-CODE'}` };
}

/** Sends an authenticated request, retrying once with the fresh nonce if the server calls ours stale. */
async function authedRequest(channel: StunChannel, auth: AuthState, method: StunMethod, extra: StunAttribute[], what: string, timeoutMs: number): Promise<StunResponse> {
  for (let attempt = 0; ; attempt++) {
    const attributes = [...extra, stringAttr(StunAttr.Username, auth.username), stringAttr(StunAttr.Realm, auth.realm), stringAttr(StunAttr.Nonce, auth.nonce)];
    const response = await channel.request(
      { method, cls: 'request', transactionId: newTransactionId(), attributes },
      { what, timeoutMs, integrityKey: auth.key, fingerprint: true },
    );
    const freshNonce = findStringAttr(response.message, StunAttr.Nonce);
    if (attempt > 0 || response.message.cls !== 'error' || decodeErrorCode(response.message)?.code !== STALE_NONCE || !freshNonce) return response;
    auth.nonce = freshNonce;
  }
}

/**
 * The long-term credential dance (RFC 5766 §6, RFC 5389 §10.2): an anonymous Allocate draws a 401
 * with REALM and NONCE, the second Allocate carries USERNAME/REALM/NONCE and MESSAGE-INTEGRITY.
 * On success the allocation is freed straight away with a zero-lifetime Refresh.
 */
export async function turnAllocate(opts: TurnAllocateOptions): Promise<TurnAllocateResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Only the address goes to the channel: its errors carry their target as context, and must not carry the password.
  const channel = await openStunChannel({ host: opts.host, port: opts.port, transport: opts.transport }, timeoutMs);
  try {
    const transportAttr = requestedTransportAttr(IPPROTO_UDP);
    const challenge = await channel.request(
      { method: StunMethod.Allocate, cls: 'request', transactionId: newTransactionId(), attributes: [transportAttr] },
      { what: 'TURN Allocate (unauthenticated)', timeoutMs },
    );
    const offeredRealm = findStringAttr(challenge.message, StunAttr.Realm);
    const nonce = findStringAttr(challenge.message, StunAttr.Nonce);
    if (challenge.message.cls !== 'error' || decodeErrorCode(challenge.message)?.code !== UNAUTHORIZED || offeredRealm === undefined || nonce === undefined) {
      // A server without auth would have allocated already; we never run one, so treat anything but the challenge as failure.
      return challenge.message.cls === 'error'
        ? failure(challenge.message, 'unauthenticated Allocate')
        : { ok: false, errorCode: 0, reason: 'unauthenticated Allocate was not challenged with 401 + REALM + NONCE (is auth off?)' };
    }
    const realm = opts.realm ?? offeredRealm;
    const auth: AuthState = { username: opts.username, realm, nonce, key: longTermKey(opts.username, realm, opts.password) };

    const allocated = await authedRequest(channel, auth, StunMethod.Allocate, [transportAttr], 'TURN Allocate', timeoutMs);
    if (allocated.message.cls !== 'success') return failure(allocated.message, 'authenticated Allocate');
    const relayedAddress = decodeXorAddress(allocated.message, StunAttr.XorRelayedAddress);
    if (!relayedAddress) return { ok: false, errorCode: 0, reason: 'Allocate succeeded without XOR-RELAYED-ADDRESS' };
    if (!verifyIntegrity(allocated.raw, auth.key)) return { ok: false, errorCode: 0, reason: 'Allocate success response failed MESSAGE-INTEGRITY: not our server, or a different key' };
    const lifetime = allocated.message.attributes.find((a) => a.type === StunAttr.Lifetime)?.value;

    const refreshed = await authedRequest(channel, auth, StunMethod.Refresh, [u32Attr(StunAttr.Lifetime, 0)], 'TURN Refresh (lifetime 0)', timeoutMs);
    return {
      ok: true,
      relayedAddress,
      mappedAddress: decodeXorAddress(allocated.message, StunAttr.XorMappedAddress),
      lifetimeSeconds: lifetime && lifetime.length >= 4 ? lifetime.readUInt32BE(0) : undefined,
      released: refreshed.message.cls === 'success',
    };
  } finally {
    channel.close();
  }
}
