import type { FaultNeeds } from '../faults/fault.js';
import { missingNeeds } from '../faults/needs.js';

/** What every namespace topology, link control and net-* fault needs from the machine. */
export const NETNS_NEEDS: FaultNeeds = { root: true, binaries: ['ip', 'nft', 'tc'] };

/**
 * Why topologies cannot be built here (to print with a skip), or undefined when they can.
 * Only the root and binary needs apply; the browser and TURN parts of the context are neutral.
 */
export function netnsUnavailable(): string | undefined {
  return missingNeeds(NETNS_NEEDS, { browserName: 'chromium', turnManaged: true });
}
