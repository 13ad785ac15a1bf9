import { describe, expect, it } from 'vitest';

import {
  StunAttr,
  StunMethod,
  decodeErrorCode,
  decodeMessage,
  decodeXorAddress,
  encodeMessage,
  findStringAttr,
  longTermKey,
  newTransactionId,
  stringAttr,
  verifyFingerprint,
  verifyIntegrity,
} from '../../turn/stun-message.js';

// RFC 5769 test vectors: bytes we did not produce, so encode and decode cannot agree on a shared mistake.
const SHORT_TERM_KEY = Buffer.from('VOkJxbRl1RmTxUk/WvJxBt');
const RFC5769_REQUEST = Buffer.from(
  '000100582112a442b7e7a701bc34d686fa87dfae' +
  '80220010' + Buffer.from('STUN test client').toString('hex') +
  '00240004' + '6e0001ff' +
  '80290008' + '932ff9b151263b36' +
  '00060009' + '6576746a3a68367659202020' +
  '00080014' + '9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2' +
  '80280004' + 'e57a3bcf',
  'hex',
);
const RFC5769_RESPONSE_V4 = Buffer.from(
  '0101003c2112a442b7e7a701bc34d686fa87dfae' +
  '8022000b' + '7465737420766563746f7220' +
  '00200008' + '0001a147e112a643' +
  '00080014' + '2b91f599fd9e90c38c7489f92af9ba53f06be7d7' +
  '80280004' + 'c07d4c96',
  'hex',
);
const RFC5769_RESPONSE_V6 = Buffer.from(
  '010100482112a442b7e7a701bc34d686fa87dfae' +
  '8022000b' + '7465737420766563746f7220' +
  '00200014' + '0002a1470113a9faa5d3f179bc25f4b5bed2b9d9' +
  '00080014' + 'a382954e4be67bf11784c97c8292c275bfe3ed41' +
  '80280004' + 'c8fb0b4c',
  'hex',
);

describe('STUN codec against RFC 5769', () => {
  it('verifies the sample request integrity and fingerprint, and reads its username', () => {
    expect(verifyIntegrity(RFC5769_REQUEST, SHORT_TERM_KEY)).toBe(true);
    expect(verifyIntegrity(RFC5769_REQUEST, Buffer.from('wrong'))).toBe(false);
    expect(verifyFingerprint(RFC5769_REQUEST)).toBe(true);
    const msg = decodeMessage(RFC5769_REQUEST)!;
    expect(msg).toMatchObject({ method: StunMethod.Binding, cls: 'request' });
    expect(findStringAttr(msg, StunAttr.Username)).toBe('evtj:h6vY');
  });

  it('decodes XOR-MAPPED-ADDRESS in the IPv4 and IPv6 sample responses', () => {
    for (const [raw, address] of [[RFC5769_RESPONSE_V4, '192.0.2.1'], [RFC5769_RESPONSE_V6, '2001:db8:1234:5678:11:2233:4455:6677']] as const) {
      expect(verifyIntegrity(raw, SHORT_TERM_KEY)).toBe(true);
      expect(verifyFingerprint(raw)).toBe(true);
      const msg = decodeMessage(raw)!;
      expect(msg.cls).toBe('success');
      expect(decodeXorAddress(msg, StunAttr.XorMappedAddress)).toMatchObject({ address, port: 32_853 });
    }
  });

  it('detects a flipped bit', () => {
    const tampered = Buffer.from(RFC5769_RESPONSE_V4);
    tampered[30] = tampered[30]! ^ 0x01;
    expect(verifyIntegrity(tampered, SHORT_TERM_KEY)).toBe(false);
    expect(verifyFingerprint(tampered)).toBe(false);
  });
});

describe('encodeMessage', () => {
  it('round-trips an authenticated Allocate that our own verifier accepts', () => {
    const key = longTermKey('1700000000:alice', 'realm', 'pw');
    const raw = encodeMessage(
      { method: StunMethod.Allocate, cls: 'request', transactionId: newTransactionId(), attributes: [stringAttr(StunAttr.Username, '1700000000:alice')] },
      { integrityKey: key, fingerprint: true },
    );
    expect(raw.length % 4).toBe(0);
    expect(verifyIntegrity(raw, key)).toBe(true);
    expect(verifyFingerprint(raw)).toBe(true);
    expect(decodeMessage(raw)).toMatchObject({ method: StunMethod.Allocate, cls: 'request' });
  });

  it('encodes the error class and ERROR-CODE split into class and number', () => {
    const value = Buffer.concat([Buffer.from([0, 0, 4, 38]), Buffer.from('Stale Nonce')]);
    const raw = encodeMessage({ method: StunMethod.Refresh, cls: 'error', transactionId: newTransactionId(), attributes: [{ type: StunAttr.ErrorCode, value }] });
    const msg = decodeMessage(raw)!;
    expect(msg).toMatchObject({ method: StunMethod.Refresh, cls: 'error' });
    expect(raw.readUInt16BE(0)).toBe(0x0114);
    expect(decodeErrorCode(msg)).toEqual({ code: 438, reason: 'Stale Nonce' });
  });

  it('ignores what is not STUN', () => {
    expect(decodeMessage(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBeUndefined();
    expect(decodeMessage(RFC5769_REQUEST.subarray(0, 40))).toBeUndefined();
  });
});
