import { createHmac } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { iceServersFor, mintTurnCredential } from '../../turn/credentials.js';

describe('mintTurnCredential', () => {
  const nowMs = 1_700_000_000_500; // half a second past a whole second, to check the floor

  it('makes username "<expiry unix seconds>:<user>" and expiresAtMs to match', () => {
    const cred = mintTurnCredential({ secret: 's3cret', user: 'alice', ttlSeconds: 600, nowMs });
    expect(cred.username).toBe('1700000600:alice');
    expect(cred.expiresAtMs).toBe(1_700_000_600_000);
  });

  it('signs the username with HMAC-SHA1(secret), base64, as coturn recomputes it', () => {
    const cred = mintTurnCredential({ secret: 's3cret', user: 'alice', ttlSeconds: 600, nowMs });
    const independent = createHmac('sha1', 's3cret').update('1700000600:alice').digest('base64');
    expect(cred.credential).toBe(independent);
    // A literal computed outside Node (Python hmac), so a shared mistake in both paths would still show.
    expect(cred.credential).toBe('bUIJIVaC05oyFgKsQvKAparqg1Q=');
    expect(Buffer.from(cred.credential, 'base64')).toHaveLength(20);
  });

  it('mints an already expired credential for a negative ttl', () => {
    const cred = mintTurnCredential({ secret: 'x', user: 'bob', ttlSeconds: -60, nowMs });
    expect(cred.username).toBe('1699999940:bob');
    expect(cred.expiresAtMs).toBeLessThan(nowMs);
  });

  it('keeps colons in the user part after the expiry', () => {
    expect(mintTurnCredential({ secret: 'x', user: 'peer:a', ttlSeconds: 1, nowMs }).username).toBe('1700000001:peer:a');
  });

  it('rejects an empty secret or user with ERR_CONFIG', () => {
    expect(() => mintTurnCredential({ secret: '', user: 'a', ttlSeconds: 1 })).toThrow(HarnessError);
    expect(() => mintTurnCredential({ secret: 'x', user: '', ttlSeconds: 1 })).toThrow(/empty user/);
    expect(() => mintTurnCredential({ secret: 'x', user: 'a', ttlSeconds: Number.NaN })).toThrow(/finite/);
  });
});

describe('iceServersFor', () => {
  it('offers TURN over UDP and TCP with one credential, plus STUN', () => {
    const servers = iceServersFor({ host: '127.0.0.1', port: 3478, secret: 'k' }, { user: 'alice', ttlSeconds: 60, nowMs: 1_000_000 });
    expect(servers).toEqual([
      {
        urls: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'],
        username: '1060:alice',
        credential: createHmac('sha1', 'k').update('1060:alice').digest('base64'),
      },
      { urls: 'stun:127.0.0.1:3478' },
    ]);
  });

  it('can offer TCP only (to force TURN/TCP) and brackets IPv6 hosts', () => {
    const [turn, stun] = iceServersFor({ host: '::1', port: 5000, secret: 'k' }, { user: 'a', ttlSeconds: 60, transports: ['tcp'] });
    expect(turn!.urls).toEqual(['turn:[::1]:5000?transport=tcp']);
    expect(stun!.urls).toBe('stun:[::1]:5000');
  });
});
