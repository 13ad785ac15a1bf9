import type { IceServer, TurnTransport } from './credentials.js';

/**
 * What a test needs from a TURN server, whether the harness launched it (launcher.ts) or the
 * user runs it (external.ts). Chaos faults call kill()/restart(); an external server refuses them.
 */
export interface TurnEndpoint {
  /** False for a server the harness did not start and must not touch. */
  readonly managed: boolean;
  readonly host: string;
  readonly port: number;
  readonly realm: string;
  readonly secret: string;
  readonly urls: { udp: string; tcp: string; stun: string };
  /** The server's process ID when the harness runs it (-1 before its first start; absent: external). */
  readonly pid?: number;
  /** RTCIceServer-shaped entries with a freshly minted credential for `user`. */
  iceServers(user: string, ttlSeconds: number, transports?: TurnTransport[]): IceServer[];
  logTail(lines?: number): string;
  /** SIGKILL, no goodbye: allocations vanish as in a crash. */
  kill(): Promise<void>;
  /** Start again on the same ports and secret, and wait until it answers. */
  restart(): Promise<void>;
  /** Graceful stop; safe to call twice. */
  stop(): Promise<void>;
  /** stop() and remove whatever the harness created for this server. */
  dispose(): Promise<void>;
}
