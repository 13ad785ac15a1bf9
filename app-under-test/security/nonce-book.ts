import { toBase64Url } from './base64url.js';

/** 256 bits: never guessed, never repeated. */
export const NONCE_BYTES = 32;
/** Challenges left unanswered are forgotten oldest first beyond this many (a peer cannot grow it). */
export const MAX_OUTSTANDING_NONCES = 64;

/**
 * Challenges this peer issued and not yet seen answered. Each nonce is good for one answer: taking
 * it removes it, whether the proof then checks out or not, so a captured proof cannot be replayed
 * and a wrong guess cannot be retried against the same nonce. Freshness comes from the nonce, not
 * from comparing wall clocks (peers may disagree by minutes: TIME-1).
 */
export class NonceBook<T> {
  private readonly outstanding = new Map<string, T>();

  issue(context: T): string {
    const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
    this.outstanding.set(nonce, context);
    if (this.outstanding.size > MAX_OUTSTANDING_NONCES) this.outstanding.delete(this.outstanding.keys().next().value!);
    return nonce;
  }

  /** The context the nonce was issued with, once; undefined for a nonce unknown or already used. */
  take(nonce: string): T | undefined {
    const context = this.outstanding.get(nonce);
    this.outstanding.delete(nonce);
    return context;
  }

  get size(): number {
    return this.outstanding.size;
  }
}
