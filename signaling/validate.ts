import {
  ID_PATTERN,
  MAX_DATA_DEPTH,
  MAX_FRAME_BYTES,
  TOKEN_PATTERN,
  type ClientMessage,
  type ErrorMessage,
  type JoinMessage,
  type SignalingErrorCode,
} from './protocol.js';

/**
 * The one boundary check for client frames. Everything past this function trusts the type.
 * The parsed JSON is only read from, never merged or spread into another object, and the
 * result is built fresh, field by field: a hostile `__proto__` key cannot reach any prototype.
 */
export type ParseResult = { ok: true; msg: ClientMessage } | { ok: false; error: ErrorMessage };

/** Own keys that are harmless to JSON.parse but poison any code that later merges the object. */
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
/** Echoing an attacker's 60 KB `type` back would only amplify it; this much is enough to debug. */
const MAX_ECHOED_TYPE_CHARS = 64;

type JsonObject = Record<string, unknown>;

function fail(code: SignalingErrorCode, message: string, inReplyTo?: string): ParseResult {
  const error: ErrorMessage = { type: 'error', code, message };
  if (inReplyTo !== undefined) error.inReplyTo = inReplyTo.slice(0, MAX_ECHOED_TYPE_CHARS);
  return { ok: false, error };
}

/** Reads only own properties, so a polluted Object.prototype can never supply a field. */
function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

function badId(field: string, type: string): ParseResult {
  return fail('ERR_BAD_MESSAGE', `'${field}' must be 1-64 chars of [A-Za-z0-9_-]`, type);
}

function parseJoin(obj: JsonObject): ParseResult {
  const room = own(obj, 'room');
  const peerId = own(obj, 'peerId');
  const token = own(obj, 'token');
  if (!isId(room)) return badId('room', 'join');
  if (!isId(peerId)) return badId('peerId', 'join');
  // Refused here, whatever the room: a join without a usable token is malformed (protocol.ts).
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) {
    return fail('ERR_BAD_MESSAGE', "'token' is required: the room's join token from its link, 1-256 printable ASCII chars", 'join');
  }
  const msg: JoinMessage = { type: 'join', room, peerId, token };
  return { ok: true, msg };
}

/** Depth of a parsed JSON value, walked with an explicit stack so no input can overflow ours. */
function depthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function parseSignal(obj: JsonObject): ParseResult {
  const to = own(obj, 'to');
  if (!isId(to)) return badId('to', 'signal');
  // `data` is opaque to the server; it came out of JSON.parse, so it is plain JSON already.
  if (!Object.hasOwn(obj, 'data')) return fail('ERR_BAD_MESSAGE', "'signal' needs a 'data' field", 'signal');
  const data = obj.data;
  if (depthExceeds(data, MAX_DATA_DEPTH)) return fail('ERR_BAD_MESSAGE', `'data' nests deeper than ${MAX_DATA_DEPTH} levels`, 'signal');
  return { ok: true, msg: { type: 'signal', to, data } };
}

function parsePing(obj: JsonObject): ParseResult {
  const id = own(obj, 'id');
  if (id === undefined) return { ok: true, msg: { type: 'ping' } };
  if (typeof id !== 'number' || !Number.isFinite(id)) return fail('ERR_BAD_MESSAGE', "'id' must be a finite number when present", 'ping');
  return { ok: true, msg: { type: 'ping', id } };
}

function frameText(raw: Buffer | string): string {
  return typeof raw === 'string' ? raw : raw.toString('utf8');
}

function frameBytes(raw: Buffer | string): number {
  return typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
}

/**
 * Validates one ws frame. `maxFrameBytes` is the soft limit: a larger frame gets an error reply
 * (the socket's hard cap, enforced by ws itself, sits a little above it).
 */
export function parseClientFrame(raw: Buffer | string, isBinary: boolean, maxFrameBytes = MAX_FRAME_BYTES): ParseResult {
  // Measured before decoding or parsing, so an oversized frame costs no JSON work.
  const bytes = frameBytes(raw);
  if (bytes > maxFrameBytes) return fail('ERR_FRAME_TOO_LARGE', `frame is ${bytes} bytes; the limit is ${maxFrameBytes}`);
  if (isBinary) return fail('ERR_BINARY_FRAME', 'binary frames are not accepted; send JSON text frames');

  let parsed: unknown;
  try {
    parsed = JSON.parse(frameText(raw));
  } catch (err) {
    // V8 parses iteratively today, but a RangeError from very deep nesting is still a bad frame.
    if (err instanceof RangeError) return fail('ERR_BAD_JSON', 'frame nests too deeply to parse');
    return fail('ERR_BAD_JSON', 'frame is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('ERR_BAD_MESSAGE', 'frame must be a JSON object with a string "type"');
  }
  const obj = parsed as JsonObject;
  const type = own(obj, 'type');
  const typeName = typeof type === 'string' ? type : undefined;
  for (const key of FORBIDDEN_KEYS) {
    if (Object.hasOwn(obj, key)) return fail('ERR_BAD_MESSAGE', `key '${key}' is not allowed`, typeName);
  }
  if (typeName === undefined) return fail('ERR_BAD_MESSAGE', 'frame must have a string "type"');

  switch (typeName) {
    case 'join':
      return parseJoin(obj);
    case 'signal':
      return parseSignal(obj);
    case 'leave':
      return { ok: true, msg: { type: 'leave' } };
    case 'ping':
      return parsePing(obj);
    case 'kick': {
      const peerId = own(obj, 'peerId');
      return isId(peerId) ? { ok: true, msg: { type: 'kick', peerId } } : badId('peerId', 'kick');
    }
    default:
      return fail('ERR_UNKNOWN_TYPE', 'unknown "type"; expected join, signal, leave, ping or kick', typeName);
  }
}
