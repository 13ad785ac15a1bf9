import { succeeds } from './exec.js';

/** One echo request must come back within this: a hop through the hub answers in well under a millisecond. */
const PING_WAIT_S = 1;

/**
 * Whether `address` answers one ping from inside namespace `ns`: the quickest check that a link
 * is up or cut. Needs `ping` (iputils-ping) on PATH.
 */
export async function pingOnce(ns: string, address: string): Promise<boolean> {
  return succeeds('ip', ['netns', 'exec', ns, 'ping', '-c1', `-W${PING_WAIT_S}`, '-n', '-q', address]);
}
