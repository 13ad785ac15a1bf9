import { describe, expect, it } from 'vitest';

import { newWrappingKey, unwrapKeyBytes, wrapKeyBytes } from '../../app-under-test/security/key-wrap.js';
import { newSessionKeyBytes } from '../../app-under-test/security/session-key.js';

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
}

describe('SEC-4 session key wrapping', () => {
  it('makes a wrapping key whose bytes cannot be exported', async () => {
    const wk = await newWrappingKey();
    expect(wk.extractable).toBe(false);
    expect(wk.algorithm.name).toBe('AES-GCM');
    await expect(crypto.subtle.exportKey('raw', wk)).rejects.toThrow();
  });

  it('round-trips a session key, and the wrapped form does not contain it', async () => {
    const wk = await newWrappingKey();
    const key = newSessionKeyBytes();
    const w = await wrapKeyBytes(wk, key, 'receiver:room1');
    expect(w.wrapped.length).toBe(key.length + 16); // ciphertext + GCM tag
    expect(contains(w.wrapped, key)).toBe(false);
    expect(contains(w.iv, key.slice(0, 8))).toBe(false);
    expect(await unwrapKeyBytes(wk, w, 'receiver:room1')).toEqual(key);
  });

  it('refuses a record moved to another id, tampered with, or opened with another wrapping key', async () => {
    const wk = await newWrappingKey();
    const w = await wrapKeyBytes(wk, newSessionKeyBytes(), 'receiver:room1');
    expect(await unwrapKeyBytes(wk, w, 'receiver:room2')).toBeUndefined();
    const tampered = { iv: w.iv, wrapped: w.wrapped.slice() };
    tampered.wrapped[3]! ^= 1;
    expect(await unwrapKeyBytes(wk, tampered, 'receiver:room1')).toBeUndefined();
    expect(await unwrapKeyBytes(await newWrappingKey(), w, 'receiver:room1')).toBeUndefined();
  });

  it('uses a fresh IV per wrap, so one key wrapped twice looks different', async () => {
    const wk = await newWrappingKey();
    const key = newSessionKeyBytes();
    const [a, b] = [await wrapKeyBytes(wk, key, 'x'), await wrapKeyBytes(wk, key, 'x')];
    expect(Buffer.from(a.wrapped).equals(Buffer.from(b.wrapped))).toBe(false);
  });
});
