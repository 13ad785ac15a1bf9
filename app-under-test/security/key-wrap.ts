import { SESSION_KEY_BYTES } from './session-key.js';

/** AES-GCM's recommended IV size. A fresh random IV per wrap; the wrapping key wraps few keys. */
const IV_BYTES = 12;

/** A session key as it rests in IndexedDB: encrypted, and bound to the record it belongs to. */
export interface WrappedKey {
  iv: Uint8Array;
  /** AES-GCM ciphertext ‖ tag of the key bytes. */
  wrapped: Uint8Array;
}

/**
 * The key that wraps session keys at rest: AES-GCM 256, made in the browser and non-extractable.
 * IndexedDB stores the CryptoKey object itself (structured clone), and the browser keeps its
 * bytes out of reach of page script, so a dump of the database yields no usable session key.
 */
export function newWrappingKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** `aad` names the record (e.g. `receiver:<room>`): a wrapped key moved to another record fails to open. */
export async function wrapKeyBytes(wrappingKey: CryptoKey, keyBytes: Uint8Array, aad: string): Promise<WrappedKey> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const wrapped = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(aad) }, wrappingKey, keyBytes as BufferSource);
  return { iv, wrapped: new Uint8Array(wrapped) };
}

/** The key bytes, or undefined when the record was damaged, moved, or wrapped by another key. */
export async function unwrapKeyBytes(wrappingKey: CryptoKey, w: WrappedKey, aad: string): Promise<Uint8Array | undefined> {
  try {
    const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: w.iv as BufferSource, additionalData: new TextEncoder().encode(aad) }, wrappingKey, w.wrapped as BufferSource));
    return plain.length === SESSION_KEY_BYTES ? plain : undefined;
  } catch {
    // GCM's tag did not verify: not our record as written. No key beats a wrong key.
    return undefined;
  }
}
