import { describe, expect, it } from 'vitest';

import { MAX_DATA_DEPTH, MAX_FRAME_BYTES, type SignalingErrorCode } from '../../signaling/protocol.js';
import { parseClientFrame } from '../../signaling/validate.js';

function errorCode(raw: string | Buffer, isBinary = false): SignalingErrorCode | undefined {
  const result = parseClientFrame(raw, isBinary);
  return result.ok ? undefined : result.error.code;
}

describe('parseClientFrame', () => {
  it('accepts each client message and builds a fresh object with only known fields', () => {
    expect(parseClientFrame('{"type":"join","room":"r-1","peerId":"alice_2","token":"Tk-_9x","extra":1}', false)).toEqual({
      ok: true,
      msg: { type: 'join', room: 'r-1', peerId: 'alice_2', token: 'Tk-_9x' },
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
      expect(errorCode(JSON.stringify({ type: 'join', room: id, peerId: 'a', token: 't' })), id).toBe('ERR_BAD_MESSAGE');
      expect(errorCode(JSON.stringify({ type: 'join', room: 'r', peerId: id, token: 't' })), id).toBe('ERR_BAD_MESSAGE');
      expect(errorCode(JSON.stringify({ type: 'signal', to: id, data: 1 })), id).toBe('ERR_BAD_MESSAGE');
    }
    expect(parseClientFrame(JSON.stringify({ type: 'join', room: 'x'.repeat(64), peerId: 'A_z-9', token: 't' }), false).ok).toBe(true);
  });

  it('refuses prototype-polluting keys and leaves Object.prototype alone', () => {
    const frames = [
      '{"type":"join","room":"r","peerId":"a","token":"t","__proto__":{"polluted":"yes"}}',
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

  it('requires a join token of 1-256 printable ASCII chars, and says so', () => {
    for (const token of [undefined, '', ' ', 'a b', 'tab\t', 'é', 'x'.repeat(257), 5, null, ['t'], { t: 1 }]) {
      const result = parseClientFrame(JSON.stringify({ type: 'join', room: 'r', peerId: 'a', token }), false);
      expect(result, JSON.stringify(token)).toMatchObject({ ok: false, error: { code: 'ERR_BAD_MESSAGE', inReplyTo: 'join' } });
      expect(result.ok ? '' : result.error.message).toContain("'token' is required");
    }
    expect(parseClientFrame(JSON.stringify({ type: 'join', room: 'r', peerId: 'a', token: '!~'.repeat(128) }), false).ok).toBe(true);
    // An inherited token does not count: a polluted prototype cannot authorise a join.
    expect(errorCode('{"type":"join","room":"r","peerId":"a","__proto__":{"token":"t"}}')).toBe('ERR_BAD_MESSAGE');
  });

  it('parses very deep nesting without blowing the stack and bounds the depth of data', () => {
    const big = 8 * 1024 * 1024;
    for (const levels of [100_000, 300_000]) {
      const deep = `${'['.repeat(levels)}${']'.repeat(levels)}`;
      // As a whole frame: not an object, refused before any walk.
      const whole = parseClientFrame(deep, false, big);
      expect(whole.ok ? '' : whole.error.code, `${levels} levels`).toMatch(/^ERR_BAD_(JSON|MESSAGE)$/);
      const asData = `{"type":"signal","to":"bob","data":${deep}}`;
      const result = parseClientFrame(asData, false, big);
      expect(result.ok, `${levels} levels in data`).toBe(false);
      expect(result.ok ? '' : result.error.code).toMatch(/^ERR_BAD_(JSON|MESSAGE)$/);
    }
    const atLimit = `{"type":"signal","to":"bob","data":${'['.repeat(MAX_DATA_DEPTH)}${']'.repeat(MAX_DATA_DEPTH)}}`;
    expect(parseClientFrame(atLimit, false).ok).toBe(true);
    const overLimit = `{"type":"signal","to":"bob","data":${'{"a":'.repeat(MAX_DATA_DEPTH + 1)}1${'}'.repeat(MAX_DATA_DEPTH + 1)}}`;
    expect(parseClientFrame(overLimit, false)).toMatchObject({ ok: false, error: { code: 'ERR_BAD_MESSAGE', inReplyTo: 'signal' } });
  });
});
