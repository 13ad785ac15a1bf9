import type { ChallengeMessage, PeerRole, ProofMessage } from '../transfer/protocol.js';
import { NonceBook } from './nonce-book.js';
import { signProof, verifyProof } from './proof-mac.js';

interface Issued {
  port: object;
  transferId: string;
}

/**
 * One side of the session-key challenge/response (SEC-1). On each new connection the verifier
 * sends a fresh nonce; the prover answers HMAC-SHA256(sessionKey, nonce ‖ transferId ‖ role ‖
 * timestamp). A connection counts as the other peer only once its proof checked out, and only on
 * that connection (a reconnect proves again). The timestamp is signed but not compared with our
 * clock: the single-use nonce already makes a proof fresh, and peers' clocks may be minutes apart.
 */
export class PeerAuth {
  private readonly nonces = new NonceBook<Issued>();
  private readonly proven = new WeakMap<object, string>();

  constructor(
    readonly role: PeerRole,
    private readonly key: CryptoKey | undefined,
  ) {}

  get hasKey(): boolean {
    return this.key !== undefined;
  }

  /** A fresh challenge for the peer on `port`, about `transferId`. */
  challenge(port: object, transferId: string): ChallengeMessage {
    return { type: 'challenge', transferId, nonce: this.nonces.issue({ port, transferId }) };
  }

  /** Our answer to the other peer's challenge; undefined when we hold no key to answer with. */
  async prove(c: ChallengeMessage): Promise<ProofMessage | undefined> {
    if (!this.key) return undefined;
    const fields = { nonce: c.nonce, transferId: c.transferId, role: this.role, timestamp: Date.now() };
    return { type: 'proof', ...fields, mac: await signProof(this.key, fields) };
  }

  /** Checks the other peer's proof; undefined when it holds, else why it does not. */
  async verify(port: object, p: ProofMessage): Promise<string | undefined> {
    const issued = this.nonces.take(p.nonce);
    if (!issued || issued.port !== port) return 'the proof answers no challenge outstanding on this connection (unknown, stale or replayed nonce)';
    if (p.transferId !== issued.transferId) return `the proof is for transfer ${p.transferId}, not ${issued.transferId}`;
    const expected: PeerRole = this.role === 'sender' ? 'receiver' : 'sender';
    if (p.role !== expected) return `the proof claims the role ${p.role}, expected ${expected}`;
    if (!this.key) return 'this side holds no session key to check the proof with';
    const fields = { nonce: p.nonce, transferId: p.transferId, role: p.role, timestamp: p.timestamp };
    if (!(await verifyProof(this.key, fields, p.mac))) return 'the MAC does not match: the peer does not hold this transfer’s session key';
    this.proven.set(port, p.transferId);
    return undefined;
  }

  /** Has the peer on `port` proved the key (for `transferId`, when given)? */
  isProven(port: object, transferId?: string): boolean {
    const proven = this.proven.get(port);
    return proven !== undefined && (transferId === undefined || proven === transferId);
  }
}
