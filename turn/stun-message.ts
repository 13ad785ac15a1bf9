import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The STUN wire format (RFC 5389 §6, §15): just enough to encode the requests our client sends
 * and decode the responses coturn sends back. No I/O here; see stun-transport.ts for that.
 */

export const STUN_HEADER_BYTES = 20;
const MAGIC_COOKIE = 0x2112a442;
const TRANSACTION_ID_BYTES = 12;
const ATTR_HEADER_BYTES = 4;
const HMAC_SHA1_BYTES = 20;
const FINGERPRINT_VALUE_BYTES = 4;
/** RFC 5389 §15.5: the CRC is XORed with "STUN" so it cannot be confused with an app's own CRC. */
const FINGERPRINT_XOR = 0x5354554e;

export const StunMethod = { Binding: 0x001, Allocate: 0x003, Refresh: 0x004 } as const;
export type StunMethod = (typeof StunMethod)[keyof typeof StunMethod];

export type StunClass = 'request' | 'indication' | 'success' | 'error';
const CLASS_BITS: Record<StunClass, number> = { request: 0x000, indication: 0x010, success: 0x100, error: 0x110 };

export const StunAttr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  Lifetime: 0x000d,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedTransport: 0x0019,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  Fingerprint: 0x8028,
} as const;

/** REQUESTED-TRANSPORT carries an IP protocol number; browsers only ever ask for UDP relays. */
export const IPPROTO_UDP = 17;

export interface StunAttribute { type: number; value: Buffer }

export interface StunMessage {
  method: number;
  cls: StunClass;
  transactionId: Buffer;
  /** In wire order; a type may repeat (unknown ones are kept so callers can ignore them). */
  attributes: StunAttribute[];
}

export interface StunAddress { family: 'IPv4' | 'IPv6'; address: string; port: number }

export function newTransactionId(): Buffer {
  return randomBytes(TRANSACTION_ID_BYTES);
}

/** The long-term credential key (RFC 5389 §15.4). SASLprep is skipped: our names are ASCII. */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
}

export function stringAttr(type: number, value: string): StunAttribute {
  return { type, value: Buffer.from(value, 'utf8') };
}

export function u32Attr(type: number, value: number): StunAttribute {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value >>> 0);
  return { type, value: buf };
}

/** REQUESTED-TRANSPORT: protocol number in the first byte, then three reserved bytes (RFC 5766 §14.7). */
export function requestedTransportAttr(protocol: number): StunAttribute {
  const buf = Buffer.alloc(4);
  buf.writeUInt8(protocol, 0);
  return { type: StunAttr.RequestedTransport, value: buf };
}

function messageType(method: number, cls: StunClass): number {
  // The method's 12 bits are split around the two class bits (RFC 5389 §6, figure 3).
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | CLASS_BITS[cls];
}

function splitMessageType(type: number): { method: number; cls: StunClass } {
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const classBits = type & 0x0110;
  const cls = (Object.keys(CLASS_BITS) as StunClass[]).find((c) => CLASS_BITS[c] === classBits) ?? 'request';
  return { method, cls };
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

function encodeAttribute(attr: StunAttribute): Buffer {
  const buf = Buffer.alloc(ATTR_HEADER_BYTES + padded(attr.value.length));
  buf.writeUInt16BE(attr.type, 0);
  buf.writeUInt16BE(attr.value.length, 2);
  attr.value.copy(buf, ATTR_HEADER_BYTES);
  return buf;
}

function header(type: number, bodyLength: number, transactionId: Buffer): Buffer {
  const buf = Buffer.alloc(STUN_HEADER_BYTES);
  buf.writeUInt16BE(type, 0);
  buf.writeUInt16BE(bodyLength, 2);
  buf.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(buf, 8);
  return buf;
}

export interface EncodeOptions {
  /** When set, MESSAGE-INTEGRITY is appended, keyed with this (see longTermKey). */
  integrityKey?: Buffer;
  fingerprint?: boolean;
}

export function encodeMessage(msg: StunMessage, opts: EncodeOptions = {}): Buffer {
  const type = messageType(msg.method, msg.cls);
  let body = Buffer.concat(msg.attributes.map(encodeAttribute));
  if (opts.integrityKey) {
    // The HMAC covers the header with its length already counting the MESSAGE-INTEGRITY attribute itself.
    const covered = Buffer.concat([header(type, body.length + ATTR_HEADER_BYTES + HMAC_SHA1_BYTES, msg.transactionId), body]);
    const mac = createHmac('sha1', opts.integrityKey).update(covered).digest();
    body = Buffer.concat([body, encodeAttribute({ type: StunAttr.MessageIntegrity, value: mac })]);
  }
  if (opts.fingerprint) {
    const covered = Buffer.concat([header(type, body.length + ATTR_HEADER_BYTES + FINGERPRINT_VALUE_BYTES, msg.transactionId), body]);
    body = Buffer.concat([body, encodeAttribute(u32Attr(StunAttr.Fingerprint, (crc32(covered) ^ FINGERPRINT_XOR) >>> 0))]);
  }
  return Buffer.concat([header(type, body.length, msg.transactionId), body]);
}

/** Length of the STUN message at the start of `buf`, or undefined when the header is incomplete. */
export function framedLength(buf: Buffer): number | undefined {
  return buf.length < STUN_HEADER_BYTES ? undefined : STUN_HEADER_BYTES + buf.readUInt16BE(2);
}

/** Decodes one STUN message; undefined when `buf` is not STUN (RFC 5389 says: silently discard). */
export function decodeMessage(buf: Buffer): StunMessage | undefined {
  if (buf.length < STUN_HEADER_BYTES || (buf[0]! & 0xc0) !== 0 || buf.readUInt32BE(4) !== MAGIC_COOKIE) return undefined;
  const bodyLength = buf.readUInt16BE(2);
  if (bodyLength % 4 !== 0 || buf.length !== STUN_HEADER_BYTES + bodyLength) return undefined;
  const attributes: StunAttribute[] = [];
  let offset = STUN_HEADER_BYTES;
  while (offset + ATTR_HEADER_BYTES <= buf.length) {
    const type = buf.readUInt16BE(offset);
    const length = buf.readUInt16BE(offset + 2);
    const start = offset + ATTR_HEADER_BYTES;
    if (start + length > buf.length) return undefined;
    attributes.push({ type, value: buf.subarray(start, start + length) });
    offset = start + padded(length);
  }
  return { ...splitMessageType(buf.readUInt16BE(0)), transactionId: buf.subarray(8, 20), attributes };
}

export function findAttr(msg: StunMessage, type: number): Buffer | undefined {
  return msg.attributes.find((a) => a.type === type)?.value;
}

export function findStringAttr(msg: StunMessage, type: number): string | undefined {
  return findAttr(msg, type)?.toString('utf8');
}

/** Byte offset of the first attribute of `type` in a raw message, or -1. */
function rawAttrOffset(raw: Buffer, type: number): number {
  let offset = STUN_HEADER_BYTES;
  while (offset + ATTR_HEADER_BYTES <= raw.length) {
    if (raw.readUInt16BE(offset) === type) return offset;
    offset += ATTR_HEADER_BYTES + padded(raw.readUInt16BE(offset + 2));
  }
  return -1;
}

/** Checks MESSAGE-INTEGRITY of a raw message (false when absent), e.g. that a response came from a server knowing our key. */
export function verifyIntegrity(raw: Buffer, key: Buffer): boolean {
  const at = rawAttrOffset(raw, StunAttr.MessageIntegrity);
  if (at < 0 || at + ATTR_HEADER_BYTES + HMAC_SHA1_BYTES > raw.length) return false;
  const covered = Buffer.from(raw.subarray(0, at));
  covered.writeUInt16BE(at + ATTR_HEADER_BYTES + HMAC_SHA1_BYTES - STUN_HEADER_BYTES, 2);
  const expected = createHmac('sha1', key).update(covered).digest();
  return timingSafeEqual(expected, raw.subarray(at + ATTR_HEADER_BYTES, at + ATTR_HEADER_BYTES + HMAC_SHA1_BYTES));
}

/** Checks FINGERPRINT of a raw message (false when absent). */
export function verifyFingerprint(raw: Buffer): boolean {
  const at = rawAttrOffset(raw, StunAttr.Fingerprint);
  if (at < 0 || at + ATTR_HEADER_BYTES + FINGERPRINT_VALUE_BYTES !== raw.length) return false;
  return ((crc32(raw.subarray(0, at)) ^ FINGERPRINT_XOR) >>> 0) === raw.readUInt32BE(at + ATTR_HEADER_BYTES);
}

function decodeAddressValue(value: Buffer, xorWith: Buffer | undefined): StunAddress | undefined {
  if (value.length < 8) return undefined;
  const family = value[1] === 0x01 ? 'IPv4' : value[1] === 0x02 ? 'IPv6' : undefined;
  const addrBytes = family === 'IPv4' ? 4 : 16;
  if (!family || value.length < 4 + addrBytes) return undefined;
  const port = value.readUInt16BE(2) ^ (xorWith ? xorWith.readUInt16BE(0) : 0);
  const addr = Buffer.from(value.subarray(4, 4 + addrBytes));
  if (xorWith) for (let i = 0; i < addrBytes; i++) addr[i]! ^= xorWith[i]!;
  const address = family === 'IPv4'
    ? [...addr].join('.')
    : Array.from({ length: 8 }, (_, i) => addr.readUInt16BE(i * 2).toString(16)).join(':');
  return { family, address, port };
}

/** XOR-MAPPED-ADDRESS / XOR-RELAYED-ADDRESS: XORed with the cookie (and transaction id for IPv6) so NATs do not rewrite them. */
export function decodeXorAddress(msg: StunMessage, type: number): StunAddress | undefined {
  const value = findAttr(msg, type);
  if (!value) return undefined;
  const cookie = Buffer.alloc(4);
  cookie.writeUInt32BE(MAGIC_COOKIE);
  return decodeAddressValue(value, Buffer.concat([cookie, msg.transactionId]));
}

export function decodeMappedAddress(msg: StunMessage): StunAddress | undefined {
  const value = findAttr(msg, StunAttr.MappedAddress);
  return value ? decodeAddressValue(value, undefined) : undefined;
}

/** ERROR-CODE (RFC 5389 §15.6): hundreds digit in 3 bits, remainder in a byte, then a UTF-8 reason. */
export function decodeErrorCode(msg: StunMessage): { code: number; reason: string } | undefined {
  const value = findAttr(msg, StunAttr.ErrorCode);
  if (!value || value.length < 4) return undefined;
  return { code: (value[2]! & 0x07) * 100 + value[3]!, reason: value.subarray(4).toString('utf8') };
}
