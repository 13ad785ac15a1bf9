import { describe, expect, it } from 'vitest';

import { NonceBook, MAX_OUTSTANDING_NONCES } from '../../app-under-test/security/nonce-book.js';
import { PeerAuth } from '../../app-under-test/security/peer-auth.js';
import { proofInput, signProof, verifyProof } from '../../app-under-test/security/proof-mac.js';
import { decodeSessionKey, encodeSessionKey, importMacKey, newSessionKeyBytes } from '../../app-under-test/security/session-key.js';
import { parseControl } from '../../app-under-test/transfer/validate-control.js';

const TRANSFER = 'transfer-1';
const TEN_MIN_MS = 10 * 60_000;

async function pair(): Promise<{ sender: PeerAuth; receiver: PeerAuth; keyBytes: Uint8Array }> {
  const keyBytes = newSessionKeyBytes();
  return { sender: new PeerAuth('sender', await importMacKey(keyBytes)), receiver: new PeerAuth('receiver', await importMacKey(keyBytes)), keyBytes };
}

describe('SEC-1 proof MAC', () => {
  it('is HMAC-SHA256 over a length-prefixed encoding, checked independently with node:crypto', async () => {
    const { createHmac } = await import('node:crypto');
    const bytes = newSessionKeyBytes();
    const fields = { nonce: 'n'.repeat(43), transferId: TRANSFER, role: 'receiver' as const, timestamp: 1_700_000_000_000 };
    const mac = await signProof(await importMacKey(bytes), fields);
    expect(mac).toBe(createHmac('sha256', bytes).update(proofInput(fields)).digest('base64url'));
  });

  it('encodes different field lists differently (no boundary ambiguity)', () => {
    const a = proofInput({ nonce: 'ab', transferId: 'c', role: 'sender', timestamp: 1 });
    const b = proofInput({ nonce: 'a', transferId: 'bc', role: 'sender', timestamp: 1 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('does not verify under another key, another role, or a changed timestamp', async () => {
    const key = await importMacKey(newSessionKeyBytes());
    const other = await importMacKey(newSessionKeyBytes());
    const fields = { nonce: 'x'.repeat(43), transferId: TRANSFER, role: 'receiver' as const, timestamp: 5 };
    const mac = await signProof(key, fields);
    expect(await verifyProof(key, fields, mac)).toBe(true);
    expect(await verifyProof(other, fields, mac)).toBe(false);
    expect(await verifyProof(key, { ...fields, role: 'sender' }, mac)).toBe(false);
    expect(await verifyProof(key, { ...fields, timestamp: 6 }, mac)).toBe(false);
    expect(await verifyProof(key, fields, 'not base64url!')).toBe(false);
  });
});

describe('SEC-1 challenge/response between the peers', () => {
  it('accepts the holder of the key, on the connection the challenge went out on only', async () => {
    const { sender, receiver } = await pair();
    const port = {};
    const challenge = sender.challenge(port, TRANSFER);
    const proof = (await receiver.prove(challenge))!;
    expect(sender.isProven(port)).toBe(false);
    expect(await sender.verify({}, proof)).toMatch(/no challenge outstanding/);
    // The failed attempt used the nonce up: even the right port cannot answer it now.
    expect(await sender.verify(port, proof)).toMatch(/no challenge outstanding/);

    const fresh = sender.challenge(port, TRANSFER);
    expect(await sender.verify(port, (await receiver.prove(fresh))!)).toBeUndefined();
    expect(sender.isProven(port, TRANSFER)).toBe(true);
    expect(sender.isProven(port, 'another-transfer')).toBe(false);
    expect(sender.isProven({})).toBe(false);
  });

  it('refuses a peer with another key, a replayed proof, a wrong role and a wrong transfer', async () => {
    const { sender, receiver, keyBytes } = await pair();
    const intruder = new PeerAuth('receiver', await importMacKey(newSessionKeyBytes()));
    const port = {};
    expect(await sender.verify(port, (await intruder.prove(sender.challenge(port, TRANSFER)))!)).toMatch(/MAC does not match/);

    const c = sender.challenge(port, TRANSFER);
    const good = (await receiver.prove(c))!;
    expect(await sender.verify(port, good)).toBeUndefined();
    const port2 = {};
    expect(await sender.verify(port2, good), 'a replayed proof').toMatch(/no challenge outstanding/);

    // The right key, but a sender's proof reflected back as if it were the receiver's.
    const reflected = (await new PeerAuth('sender', await importMacKey(keyBytes)).prove(sender.challenge(port2, TRANSFER)))!;
    expect(await sender.verify(port2, reflected)).toMatch(/role sender/);

    const c3 = sender.challenge(port2, TRANSFER);
    const wrongTransfer = (await receiver.prove({ ...c3, transferId: 'other' }))!;
    expect(await sender.verify(port2, wrongTransfer)).toMatch(/for transfer other/);
    expect(sender.isProven(port2)).toBe(false);
  });

  it('cannot prove without a key', async () => {
    const sender = (await pair()).sender;
    const keyless = new PeerAuth('receiver', undefined);
    expect(keyless.hasKey).toBe(false);
    expect(await keyless.prove(sender.challenge({}, TRANSFER))).toBeUndefined();
  });

  it('ignores wall clocks: a prover 10 minutes ahead or behind is accepted (TIME-1)', async () => {
    const { sender, keyBytes } = await pair();
    const key = await importMacKey(keyBytes);
    for (const skew of [+TEN_MIN_MS, -TEN_MIN_MS]) {
      const port = {};
      const c = sender.challenge(port, TRANSFER);
      // Signed as a prover whose clock is off by `skew` would sign it.
      const fields = { nonce: c.nonce, transferId: TRANSFER, role: 'receiver' as const, timestamp: Date.now() + skew };
      expect(await sender.verify(port, { type: 'proof', ...fields, mac: await signProof(key, fields) })).toBeUndefined();
    }
  });
});

describe('NonceBook', () => {
  it('hands each nonce back once, and forgets the oldest beyond its bound', () => {
    const book = new NonceBook<number>();
    const n = book.issue(7);
    expect(n).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(book.take(n)).toBe(7);
    expect(book.take(n)).toBeUndefined();
    const first = book.issue(0);
    for (let i = 1; i <= MAX_OUTSTANDING_NONCES; i++) book.issue(i);
    expect(book.size).toBe(MAX_OUTSTANDING_NONCES);
    expect(book.take(first)).toBeUndefined();
  });
});

describe('session key in the link', () => {
  it('round-trips through base64url and rejects anything but 32 bytes', () => {
    const bytes = newSessionKeyBytes();
    expect(decodeSessionKey(encodeSessionKey(bytes))).toEqual(bytes);
    expect(decodeSessionKey(encodeSessionKey(bytes.slice(1)))).toBeUndefined();
    expect(decodeSessionKey('***')).toBeUndefined();
    expect(decodeSessionKey(null)).toBeUndefined();
  });
});

describe('parseControl: challenge and proof', () => {
  const nonce = 'A'.repeat(43);
  it('takes well-formed messages', () => {
    expect(parseControl(JSON.stringify({ type: 'challenge', transferId: TRANSFER, nonce }))).toEqual({ type: 'challenge', transferId: TRANSFER, nonce });
    const proof = { type: 'proof', transferId: TRANSFER, role: 'receiver', nonce, timestamp: 1, mac: nonce };
    expect(parseControl(JSON.stringify(proof))).toEqual(proof);
    expect(parseControl(JSON.stringify({ type: 'refuse', transferId: TRANSFER, code: 'ERR_RESUME_UNAUTHORIZED', message: 'no' }))).toBeDefined();
  });
  it('rejects short nonces or MACs, unknown roles, non-integer timestamps', () => {
    const base = { type: 'proof', transferId: TRANSFER, role: 'receiver', nonce, timestamp: 1, mac: nonce };
    for (const bad of [{ nonce: 'A' }, { mac: '' }, { mac: `${nonce}=` }, { role: 'intruder' }, { timestamp: 1.5 }, { timestamp: '1' }, { transferId: 'x'.repeat(65) }]) {
      expect(parseControl(JSON.stringify({ ...base, ...bad })), JSON.stringify(bad)).toBeUndefined();
    }
    expect(parseControl(JSON.stringify({ type: 'challenge', transferId: TRANSFER }))).toBeUndefined();
  });
});
