import { describe, expect, it } from 'vitest';

import { MAX_FRAME_BYTES, type SignalingErrorCode } from '../../signaling/protocol.js';
import { parseClientFrame } from '../../signaling/validate.js';

function errorCode(raw: string | Buffer, isBinary = false): SignalingErrorCode | undefined {
  const result = parseClientFrame(raw, isBinary);
  return result.ok ? undefined : result.error.code;
}

describe('parseClientFrame', () => {
  it('accepts each client message and builds a fresh object with only known fields', () => {
    expect(parseClientFrame('{"type":"join","room":"r-1","peerId":"alice_2","extra":1}', false)).toEqual({
      ok: true,
      msg: { type: 'join', room: 'r-1', peerId: 'alice_2' },
    });
    expect(parseClientFrame('{"type":"join","room":"r","peerId":"a","token":"t"}', false)).toEqual({
      ok: true,
      msg: { type: 'join', room: 'r', peerId: 'a', token: 't' },
    });
    expect(parseClientFrame(Buffer.from('{"type":"signal","to":"bob","data":{"sdp":"v=0"}}'), false)).toEqual({
      ok: true,
      msg: { type: 'signal', to: 'bob', data: { sdp: 'v=0' } },
    });
    expect(parseClientFrame('{"type":"signal","to":"bob","data":null}', false)).toEqual({ ok: true, msg: { type: 'signal', to: 'bob', data: null } });
    expect(parseClientFrame('{"type":"leave"}', false)).toEqual({ ok: true, msg: { type: 'leave' } });
    expect(parseClientFrame('{"type":"ping","id":7}', false)).toEqual({ ok: true, msg: { type: 'ping', id: 7 } });
    expect(parseClientFrame('{"type":"ping"}', false)).toEqual({ ok: true, msg: { type: 'ping' } });
  });

  it('refuses frames that are not a JSON object', () => {
    expect(errorCode('{not json')).toBe('ERR_BAD_JSON');
    expect(errorCode('')).toBe('ERR_BAD_JSON');
    for (const raw of ['null', '[]', '42', '"join"', 'true']) expect(errorCode(raw), raw).toBe('ERR_BAD_MESSAGE');
  });

  it('refuses binary frames, even when they hold valid JSON', () => {
    expect(errorCode(Buffer.from('{"type":"ping"}'), true)).toBe('ERR_BINARY_FRAME');
  });

  it('measures the size in bytes before parsing', () => {
    // Each 'é' is 2 bytes in UTF-8, so this is under the limit in chars but over it in bytes.
    const multiByte = `{"type":"ping","pad":"${'é'.repeat(MAX_FRAME_BYTES / 2)}"}`;
    expect(multiByte.length).toBeLessThan(MAX_FRAME_BYTES);
    expect(errorCode(multiByte)).toBe('ERR_FRAME_TOO_LARGE');
    // Oversized garbage is refused for its size, without a JSON error.
    expect(errorCode('x'.repeat(MAX_FRAME_BYTES + 1))).toBe('ERR_FRAME_TOO_LARGE');
    const head = '{"type":"ping","pad":"';
    const exact = `${head}${'x'.repeat(MAX_FRAME_BYTES - head.length - 2)}"}`;
    expect(Buffer.byteLength(exact)).toBe(MAX_FRAME_BYTES);
    expect(parseClientFrame(exact, false).ok).toBe(true);
    expect(parseClientFrame('{"type":"ping"}', false, 10).ok).toBe(false);
  });

  it('refuses unknown or missing types and says which type it was', () => {
    const unknown = parseClientFrame('{"type":"offer"}', false);
    expect(unknown).toMatchObject({ ok: false, error: { type: 'error', code: 'ERR_UNKNOWN_TYPE', inReplyTo: 'offer' } });
    expect(errorCode('{}')).toBe('ERR_BAD_MESSAGE');
    expect(errorCode('{"type":42}')).toBe('ERR_BAD_MESSAGE');
    const long = parseClientFrame(JSON.stringify({ type: 'x'.repeat(1000) }), false);
    expect(long.ok ? '' : (long.error.inReplyTo ?? '')).toHaveLength(64);
  });

  it('refuses missing or mistyped fields', () => {
    const bad = [
      '{"type":"join","room":"r"}',
      '{"type":"join","peerId":"a"}',
      '{"type":"join","room":5,"peerId":"a"}',
      '{"type":"join","room":"r","peerId":"a","token":5}',
      '{"type":"signal","to":"bob"}',
      '{"type":"signal","data":{}}',
      '{"type":"ping","id":"1"}',
      '{"type":"ping","id":1e400}',
    ];
    for (const raw of bad) expect(errorCode(raw), raw).toBe('ERR_BAD_MESSAGE');
  });

  it('refuses ids outside ID_PATTERN', () => {
    for (const id of ['', 'a b', '../etc', 'a/b', 'x'.repeat(65), 'ümlaut', 'a\u0000']) {
      expect(errorCode(JSON.stringify({ type: 'join', room: id, peerId: 'a' })), id).toBe('ERR_BAD_MESSAGE');
      expect(errorCode(JSON.stringify({ type: 'join', room: 'r', peerId: id })), id).toBe('ERR_BAD_MESSAGE');
      expect(errorCode(JSON.stringify({ type: 'signal', to: id, data: 1 })), id).toBe('ERR_BAD_MESSAGE');
    }
    expect(parseClientFrame(JSON.stringify({ type: 'join', room: 'x'.repeat(64), peerId: 'A_z-9' }), false).ok).toBe(true);
  });

  it('refuses prototype-polluting keys and leaves Object.prototype alone', () => {
    const frames = [
      '{"type":"join","room":"r","peerId":"a","__proto__":{"polluted":"yes"}}',
      '{"type":"ping","constructor":{"prototype":{"polluted":"yes"}}}',
      '{"type":"ping","prototype":{"polluted":"yes"}}',
      '{"__proto__":{"type":"ping"}}',
    ];
    for (const raw of frames) expect(errorCode(raw), raw).toBe('ERR_BAD_MESSAGE');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('reads only own fields, never inherited ones', () => {
    // A frame without `type` must not pick one up from a prototype.
    expect(errorCode('{"room":"r","peerId":"a"}')).toBe('ERR_BAD_MESSAGE');
    const result = parseClientFrame('{"type":"signal","to":"bob","data":{"__proto__":{"polluted":"yes"}}}', false);
    // Nested data is opaque and relayed as is; parsing it did not touch Object.prototype.
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
