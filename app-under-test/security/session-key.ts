import { fromBase64Url, toBase64Url } from './base64url.js';

/**
 * The transfer's session key: 32 random bytes made by the sender with the transfer, handed to the
 * receiver in the room link's fragment (`#…&k=…`), which browsers never send to a server. Only the
 * two peers hold it; the signaling server and anyone with just the room token do not.
 */
export const SESSION_KEY_BYTES = 32;

export function newSessionKeyBytes(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SESSION_KEY_BYTES));
}

export function encodeSessionKey(bytes: Uint8Array): string {
  return toBase64Url(bytes);
}

/** The key bytes of a link's `k` parameter, or undefined when it is missing or malformed. */
export function decodeSessionKey(text: string | null | undefined): Uint8Array | undefined {
  if (!text) return undefined;
  const bytes = fromBase64Url(text);
  return bytes?.length === SESSION_KEY_BYTES ? bytes : undefined;
}

/**
 * The key as WebCrypto holds it for the MACs: non-extractable, so page code (or a script that
 * got into the page later) can sign and verify with it but never read it back.
 */
export function importMacKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytes as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}
