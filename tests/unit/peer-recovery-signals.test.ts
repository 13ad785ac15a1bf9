import { describe, expect, it } from 'vitest';
import { readPageOptions } from '../../app-under-test/net/app-config.js';
import { iceUfrag } from '../../app-under-test/net/ice-ufrag.js';
import { parsePeerSignal } from '../../app-under-test/net/peer-signal.js';

describe('ICE restart signalling', () => {
  it('parses restart-ice with its generation, and refuses a malformed one', () => {
    expect(parsePeerSignal({ kind: 'restart-ice', gen: 'abc' })).toEqual({ kind: 'restart-ice', gen: 'abc' });
    expect(parsePeerSignal({ kind: 'restart-ice' })).toBeUndefined();
    expect(parsePeerSignal({ kind: 'restart-ice', gen: 7 })).toBeUndefined();
    expect(parsePeerSignal({ kind: 'restart-ice', gen: 'x'.repeat(65) })).toBeUndefined();
    expect(parsePeerSignal({ kind: 'request-peer', extra: 1 })).toEqual({ kind: 'request-peer' });
  });

  it('tells a restart offer from a duplicate by its ICE ufrag', () => {
    const offer = (ufrag: string) => ({ type: 'offer' as const, sdp: `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=ice-ufrag:${ufrag}\r\na=ice-pwd:secret\r\n` });
    expect(iceUfrag(offer('AbC1'))).toBe('AbC1');
    expect(iceUfrag(offer('AbC1'))).toBe(iceUfrag(offer('AbC1')));
    expect(iceUfrag(offer('AbC1'))).not.toBe(iceUfrag(offer('XyZ2')));
    expect(iceUfrag({ type: 'offer', sdp: 'v=0\r\n' })).toBe('');
    expect(iceUfrag({ candidate: { candidate: 'a=ice-ufrag:nope', sdpMLineIndex: 0, sdpMid: '0' } } as never)).toBe('');
  });

  it('reads ?recovery= and ignores anything else', () => {
    expect(readPageOptions('?recovery=new-peer').recovery).toBe('new-peer');
    expect(readPageOptions('?recovery=ice-restart').recovery).toBe('ice-restart');
    expect(readPageOptions('?recovery=teleport').recovery).toBeUndefined();
    expect(readPageOptions('').recovery).toBeUndefined();
  });
});
