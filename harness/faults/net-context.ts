import type { Topology } from '../netns/topology.js';
import type { FaultNeeds } from './fault.js';
import { NETNS_NEEDS } from '../netns/needs.js';

/** What every net-* fault acts on: the namespace topology the peers' browsers run in. */
export interface NetFaultContext {
  topology: Topology;
  /** The STUN/TURN port that `blockStun` drops, when the params do not name one (the harness's coturn port). */
  stunPort?: number;
}

/**
 * Root for namespaces, nft and tc; without them every net-* fault's test skips with the reason.
 * Chromium only for now: the launcher that starts a browser inside a namespace
 * (harness/netns/chromium-in-netns.ts) wraps Chromium; Firefox would need its own wrapper.
 */
export const NET_FAULT_NEEDS: FaultNeeds = { ...NETNS_NEEDS, engines: ['chromium'] };
