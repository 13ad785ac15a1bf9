import { fromBase64Url, toBase64Url } from './base64url.js';

/** What a proof of the session key commits to. */
export interface ProofFields {
  /** The verifier's fresh challenge, base64url. */
  nonce: string;
  transferId: string;
  /** Who is proving: a sender's proof can never be passed off as a receiver's, or back. */
  role: 'sender' | 'receiver';
  /** The prover's wall clock, ms. Bound into the MAC for the record; freshness comes from the nonce. */
  timestamp: number;
}

/** Versioned, so a MAC made for anything else with the same key can never verify as a proof. */
const DOMAIN = 'webrtc-transfer/resume-proof/v1';

/**
 * HMAC input: domain ‖ nonce ‖ transferId ‖ role ‖ timestamp, each field length-prefixed (u32 BE)
 * so no two different field lists encode to the same bytes.
 */
export function proofInput(f: ProofFields): Uint8Array {
  const parts = [DOMAIN, f.nonce, f.transferId, f.role, String(f.timestamp)].map((s) => new TextEncoder().encode(s));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** HMAC-SHA256(sessionKey, proofInput), base64url. */
export async function signProof(key: CryptoKey, f: ProofFields): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, proofInput(f) as BufferSource)));
}

/** Constant-time check (WebCrypto's verify), false for anything that is not a well-formed MAC. */
export async function verifyProof(key: CryptoKey, f: ProofFields, mac: string): Promise<boolean> {
  const bytes = fromBase64Url(mac);
  if (!bytes) return false;
  return crypto.subtle.verify('HMAC', key, bytes as BufferSource, proofInput(f) as BufferSource);
}
