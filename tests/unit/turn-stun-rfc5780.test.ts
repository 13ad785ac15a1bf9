import { describe, expect, it } from 'vitest';

import { rejectedTurnOptions, turnConfigText } from '../../turn/config.js';
import { launchTurnServer, resolveTurnRuntime } from '../../turn/launcher.js';
import { discoverNatBehaviour } from '../../turn/nat-behaviour.js';
import { decodeMessage, encodeMessage, newTransactionId, StunAttr, StunMethod } from '../../turn/stun-message.js';
import { changeRequestAttr, decodeBindingAnswer, Rfc5780Attr } from '../../turn/stun-rfc5780.js';

function nativeCoturn(): boolean {
  try {
    return resolveTurnRuntime(undefined).kind === 'native';
  } catch {
    return false;
  }
}

/** An IPv4 address attribute value (MAPPED-ADDRESS layout), optionally XORed like XOR-MAPPED-ADDRESS. */
function addressValue(ip: string, port: number, xor = false): Buffer {
  const v = Buffer.alloc(8);
  v[1] = 0x01;
  v.writeUInt16BE(xor ? port ^ 0x2112 : port, 2);
  const bytes = ip.split('.').map(Number);
  const cookie = [0x21, 0x12, 0xa4, 0x42];
  bytes.forEach((b, i) => (v[4 + i] = xor ? b ^ cookie[i]! : b));
  return v;
}

describe('RFC 5780 wire format', () => {
  it('encodes CHANGE-REQUEST flags as bits A (change IP, 0x4) and B (change port, 0x2)', () => {
    expect(changeRequestAttr({ changeIp: true, changePort: true }).value.readUInt32BE(0)).toBe(0x06);
    expect(changeRequestAttr({ changeIp: false, changePort: true }).value.readUInt32BE(0)).toBe(0x02);
    expect(changeRequestAttr({ changeIp: true, changePort: false }).value.readUInt32BE(0)).toBe(0x04);
    expect(changeRequestAttr({ changeIp: false, changePort: false }).type).toBe(Rfc5780Attr.ChangeRequest);
  });

  it('decodes XOR-MAPPED-ADDRESS, OTHER-ADDRESS and RESPONSE-ORIGIN from a Binding success', () => {
    const raw = encodeMessage({
      method: StunMethod.Binding, cls: 'success', transactionId: newTransactionId(), attributes: [
        { type: StunAttr.XorMappedAddress, value: addressValue('10.77.3.6', 40_001, true) },
        { type: Rfc5780Attr.OtherAddress, value: addressValue('10.77.3.253', 3479) },
        { type: Rfc5780Attr.ResponseOrigin, value: addressValue('10.77.3.254', 3478) },
      ],
    });
    expect(decodeBindingAnswer(decodeMessage(raw)!)).toEqual({
      mapped: { family: 'IPv4', address: '10.77.3.6', port: 40_001 },
      other: { family: 'IPv4', address: '10.77.3.253', port: 3479 },
      origin: { family: 'IPv4', address: '10.77.3.254', port: 3478 },
    });
    const error = encodeMessage({ method: StunMethod.Binding, cls: 'error', transactionId: newTransactionId(), attributes: [] });
    expect(decodeBindingAnswer(decodeMessage(error)!)).toBeUndefined();
  });

  it('turns coturn\'s RFC 5780 on only with an alternate address, on port + 1 outside the relay range', () => {
    const base = { host: '127.0.0.1', port: 34_780, relayPortRange: [50_000, 50_199] as [number, number], secret: 's', realm: 'r', workDir: '/tmp/x' };
    expect(turnConfigText(base)).toContain('no-rfc5780');
    const text = turnConfigText({ ...base, alternateHost: '127.0.0.2' });
    expect(text).not.toContain('no-rfc5780');
    expect(text.match(/^listening-ip=.*$/gm)).toEqual(['listening-ip=127.0.0.1', 'listening-ip=127.0.0.2']);
    expect(text).toContain('alt-listening-port=34781');
    expect(text).toContain('relay-ip=127.0.0.1\n');
    expect(() => turnConfigText({ ...base, port: 49_999, alternateHost: '127.0.0.2' })).toThrow(/ERR_CONFIG/);
    expect(rejectedTurnOptions('Bad configuration format: alt-listening-port').essential).toEqual(['alt-listening-port']);
  });

  // Real coturn on two loopback addresses, no namespace: no NAT at all, so every answer gets through.
  it.skipIf(!nativeCoturn())('against a real coturn with two addresses, finds no NAT on loopback', async () => {
    const turn = await launchTurnServer({ alternateHost: '127.0.0.2' });
    try {
      const found = await discoverNatBehaviour({ host: turn.host, port: turn.port }, '127.0.0.1');
      expect(found).toMatchObject({ mapping: 'endpoint-independent', filtering: 'endpoint-independent', behindNat: false });
      expect(found.mapped).toEqual({ family: 'IPv4', address: '127.0.0.1', port: found.local!.port });
    } finally {
      await turn.dispose();
    }
  }, 30_000);
});
