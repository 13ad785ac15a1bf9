import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Secrets (room join tokens, the chaos API key) are kept as SHA-256 digests and compared in
 * constant time. Comparing digests of equal length means neither the content nor the length of
 * the stored secret shows in how long a wrong guess takes to be refused.
 */
export type SecretDigest = Buffer;

export function digestSecret(secret: string): SecretDigest {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function secretMatches(stored: SecretDigest, candidate: string): boolean {
  return timingSafeEqual(stored, digestSecret(candidate));
}
