import type { CheckpointStore } from '../storage/checkpoint-store.js';
import { newWrappingKey, unwrapKeyBytes, wrapKeyBytes } from './key-wrap.js';

const WRAPPING_KEY_ID = 'session-key-wrapping';

/**
 * Session keys at rest (SEC-4): IndexedDB holds each one only AES-GCM-wrapped by a
 * non-extractable CryptoKey kept in the same database. Reading the files of the profile, or every
 * record from page script, yields ciphertext and a key object whose bytes cannot be exported.
 */
export class KeyVault {
  private wrapping: Promise<CryptoKey> | undefined;

  constructor(private readonly store: CheckpointStore) {}

  async save(id: string, keyBytes: Uint8Array): Promise<void> {
    const wrapped = await wrapKeyBytes(await this.wrappingKey(), keyBytes, id);
    await this.store.putSessionKey({ id, ...wrapped });
  }

  /** The key bytes saved under `id`, or undefined when there are none (or they do not unwrap). */
  async load(id: string): Promise<Uint8Array | undefined> {
    const record = await this.store.getSessionKey(id);
    return record ? unwrapKeyBytes(await this.wrappingKey(), record, id) : undefined;
  }

  private wrappingKey(): Promise<CryptoKey> {
    this.wrapping ??= newWrappingKey().then((candidate) => this.store.wrappingKey(WRAPPING_KEY_ID, candidate));
    return this.wrapping;
  }
}
