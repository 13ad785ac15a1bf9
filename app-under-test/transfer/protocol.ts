/**
 * The transfer wire protocol spoken over the DataChannel. Types and layout constants only.
 *
 * Two kinds of message share the channel:
 * - control messages: JSON text, a discriminated union on `type` (below);
 * - chunk frames: binary, laid out as CHUNK_FRAME_* describes (see frame-codec.ts).
 */

export const PROTOCOL_VERSION = 1;

/** What a transfer is: sent first on every (re)connection. */
export interface Manifest {
  transferId: string;
  name: string;
  size: number;
  mimeType: string;
  chunkSize: number;
  chunkCount: number;
  /** BLAKE3 of the whole file, lowercase hex. Also the file's identity on resume. */
  fileHash: string;
}

export type PeerRole = 'sender' | 'receiver';

/**
 * A fresh random nonce the other peer must answer with a ProofMessage before it is trusted on
 * this connection (SEC-1). The sender challenges first, the receiver challenges back after its
 * proof; the sender's manifest and chunks go only to a receiver that proved, and the receiver
 * takes them only from a sender that proved.
 */
export interface ChallengeMessage {
  type: 'challenge';
  transferId: string;
  /** 32 random bytes, base64url; answered once, on this connection only. */
  nonce: string;
}

/**
 * Proof of the transfer's session key: `mac` = HMAC-SHA256(sessionKey, nonce ‖ transferId ‖ role ‖
 * timestamp), base64url (security/proof-mac.ts has the exact encoding).
 */
export interface ProofMessage {
  type: 'proof';
  transferId: string;
  role: PeerRole;
  /** The challenge being answered. */
  nonce: string;
  /** The prover's wall clock, ms: signed, but never compared with the verifier's (TIME-1). */
  timestamp: number;
  mac: string;
}

export interface ManifestMessage {
  type: 'manifest';
  version: number;
  manifest: Manifest;
}

/**
 * The receiver's answer to a manifest: which chunks it already holds, verified and durable.
 * `chunkMap` is a bitfield (bit i = chunk i), base64.
 */
export interface ResumeMessage {
  type: 'resume';
  transferId: string;
  chunkMap: string;
  haveBytes: number;
}

export const REFUSE_CODES = ['ERR_FILE_MISMATCH', 'ERR_BAD_MANIFEST', 'ERR_QUOTA_EXCEEDED', 'ERR_RESUME_UNAUTHORIZED'] as const;
export type RefuseCode = (typeof REFUSE_CODES)[number];

/**
 * One peer will not go on with the other. The receiver cannot take this transfer (e.g. a different
 * file under the same id); the sender refuses a peer that did not prove the session key
 * (ERR_RESUME_UNAUTHORIZED).
 */
export interface RefuseMessage {
  type: 'refuse';
  transferId: string;
  code: RefuseCode;
  message: string;
}

/** Chunk `index` is verified and its IndexedDB transaction has completed. */
export interface AckMessage {
  type: 'ack';
  index: number;
}

/** Chunk `index` failed verification (or could not be parsed): send it again. */
export interface NackMessage {
  type: 'nack';
  index: number;
  reason: 'hash-mismatch' | 'bad-frame' | 'bad-length';
}

/** Receiver: every chunk is stored and the whole-file BLAKE3 matched. */
export interface DoneMessage {
  type: 'done';
  transferId: string;
  fileHash: string;
}

/** Liveness probe: the DataChannel stays `open` on a dead path, so each side checks on its own. */
export interface HeartbeatMessage {
  type: 'heartbeat';
  seq: number;
}

export type ControlMessage =
  | ChallengeMessage
  | ProofMessage
  | ManifestMessage
  | ResumeMessage
  | RefuseMessage
  | AckMessage
  | NackMessage
  | DoneMessage
  | HeartbeatMessage;

/**
 * Binary chunk frame layout (little-endian):
 *   0  u8   magic (CHUNK_FRAME_MAGIC)
 *   1  u8   protocol version
 *   2  u16  reserved (0)
 *   4  u32  chunk index
 *   8  u32  payload length in bytes
 *  12  32B  chunk digest: BLAKE3("BLK3" ‖ u32 index ‖ u32 length ‖ payload)
 *  44  ...  payload
 */
export const CHUNK_FRAME_MAGIC = 0xc7;
export const CHUNK_FRAME_HEADER_BYTES = 44;
export const CHUNK_HASH_BYTES = 32;

/** Largest chunk payload: keeps a whole frame under the 256 KiB message limit of Chromium. */
export const MAX_CHUNK_BYTES = 256 * 1024 - CHUNK_FRAME_HEADER_BYTES;
