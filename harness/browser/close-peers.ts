import type { Peer } from './peer.js';

/**
 * Closes every peer, all at once, even when one fails to, then rethrows the first failure: a peer
 * left running because another one's close threw would keep writing into its profile dir.
 */
export async function closeAll(peers: readonly Peer[]): Promise<void> {
  const results = await Promise.allSettled(peers.map((p) => p.close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
