import type { ControlMessage, Manifest } from './protocol.js';
import { MAX_CHUNK_BYTES, PROTOCOL_VERSION, REFUSE_CODES } from './protocol.js';

/**
 * The one place a control message from the other peer is checked. Anything that does not fit
 * the protocol exactly is `undefined`: the caller reports it and never acts on it.
 */

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 32;
const isStr = (v: unknown, max = 512): v is string => typeof v === 'string' && v.length <= max;
/** 32 bytes as unpadded base64url: a nonce or an HMAC-SHA256. */
const isB64Url32 = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);
const isRole = (v: unknown): v is 'sender' | 'receiver' => v === 'sender' || v === 'receiver';
const isRefuseCode = (v: unknown): v is (typeof REFUSE_CODES)[number] => (REFUSE_CODES as readonly unknown[]).includes(v);
const isHex64 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

export function validManifest(m: unknown): m is Manifest {
  if (!isObj(m)) return false;
  if (!isStr(m.transferId, 64) || !isStr(m.name, 1024) || !isStr(m.mimeType, 256) || !isHex64(m.fileHash)) return false;
  if (!Number.isSafeInteger(m.size) || (m.size as number) < 0) return false;
  if (!Number.isInteger(m.chunkSize) || (m.chunkSize as number) < 1 || (m.chunkSize as number) > MAX_CHUNK_BYTES) return false;
  return m.chunkCount === Math.ceil((m.size as number) / (m.chunkSize as number));
}

export function parseControl(text: string): ControlMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'challenge':
      return isStr(v.transferId, 64) && isB64Url32(v.nonce) ? { type: 'challenge', transferId: v.transferId, nonce: v.nonce } : undefined;
    case 'proof':
      return isStr(v.transferId, 64) && isRole(v.role) && isB64Url32(v.nonce) && Number.isSafeInteger(v.timestamp) && isB64Url32(v.mac)
        ? { type: 'proof', transferId: v.transferId, role: v.role, nonce: v.nonce, timestamp: v.timestamp as number, mac: v.mac }
        : undefined;
    case 'manifest':
      return v.version === PROTOCOL_VERSION && validManifest(v.manifest) ? { type: 'manifest', version: PROTOCOL_VERSION, manifest: v.manifest } : undefined;
    case 'resume':
      return isStr(v.transferId, 64) && isStr(v.chunkMap, 1 << 20) && Number.isSafeInteger(v.haveBytes)
        ? { type: 'resume', transferId: v.transferId, chunkMap: v.chunkMap, haveBytes: v.haveBytes as number }
        : undefined;
    case 'refuse':
      return isStr(v.transferId, 64) && isRefuseCode(v.code) && isStr(v.message, 2048)
        ? { type: 'refuse', transferId: v.transferId, code: v.code, message: v.message }
        : undefined;
    case 'ack':
      return isIndex(v.index) ? { type: 'ack', index: v.index } : undefined;
    case 'nack':
      return isIndex(v.index) && (v.reason === 'hash-mismatch' || v.reason === 'bad-frame' || v.reason === 'bad-length')
        ? { type: 'nack', index: v.index, reason: v.reason }
        : undefined;
    case 'done':
      return isStr(v.transferId, 64) && isHex64(v.fileHash) ? { type: 'done', transferId: v.transferId, fileHash: v.fileHash } : undefined;
    case 'heartbeat':
      return isIndex(v.seq) ? { type: 'heartbeat', seq: v.seq } : undefined;
    default:
      return undefined;
  }
}
