import { HarnessError } from '../errors.js';
import { deleteNamespaces, listNamespaces, type BusyNamespaces } from './namespaces.js';
import { NETNS_PREFIX } from './names.js';
import { claimIsLive, NETNS_REGISTRY_DIR, readClaims, releaseSlot } from './registry.js';

export interface SweepResult {
  /** Namespaces deleted (named with the prefix, owned by no live process). */
  namespaces: string[];
  /** Address-slot claims released (their owner is gone). */
  claims: number;
  /** Deleted namespaces that still held processes of the dead run (for the caller to report). */
  busy: BusyNamespaces;
}

/**
 * Removes what crashed runs of THIS harness left behind: namespaces whose names start with
 * `prefix` (always within our own `wrh-`) that no live process has claimed, and the claims of
 * dead owners. Every nft table and qdisc we create lives inside those namespaces and goes with
 * them. Live topologies of parallel workers and other runs are left alone.
 */
export async function sweepStale(prefix = NETNS_PREFIX, dir = NETNS_REGISTRY_DIR): Promise<SweepResult> {
  if (!prefix.startsWith(NETNS_PREFIX)) {
    throw new HarnessError('ERR_CONFIG', `sweepStale only removes this harness's namespaces: the prefix must start with '${NETNS_PREFIX}' (got '${prefix}')`, {
      context: { prefix },
      hint: `Call sweepStale() with no argument, or with a longer prefix such as '${NETNS_PREFIX}h1'.`,
    });
  }
  const claims = readClaims(dir);
  const live = new Set(claims.filter(claimIsLive).flatMap((c) => c.namespaces));
  const stale = (await listNamespaces()).filter((ns) => ns.startsWith(prefix) && !live.has(ns));
  // Processes still inside a stale namespace belong to a dead run (its PID registry ends them).
  const busy = await deleteNamespaces(stale);
  const deadClaims = claims.filter((c) => !claimIsLive(c) && c.namespaces.every((ns) => ns.startsWith(prefix)));
  for (const c of deadClaims) releaseSlot(c.slot, dir);
  return { namespaces: stale, claims: deadClaims.length, busy };
}
