import { checkPeerNat, type NatCheckOptions, type NatClassification, type NatServerAddress } from './classify-nat.js';
import type { Topology } from './topology.js';

/**
 * The self-check a NAT scenario runs before anything else: every peer of `topology` classified
 * with RFC 5780 from inside its namespace, one after the other (each costs ~1.6 s, mostly the
 * answers a filtering NAT drops). Throws ERR_NAT_MISMATCH on the first peer that is not the type
 * its topology claims, so a NAT scenario can never pass on the wrong network.
 */
export async function selfCheckTopologyNat(topology: Topology, server: NatServerAddress, opts: NatCheckOptions = {}): Promise<Record<string, NatClassification>> {
  const found: Record<string, NatClassification> = {};
  for (const peer of topology.peers) found[peer.name] = await checkPeerNat(peer, server, opts);
  return found;
}

/** One line per peer, for the test's output: what it claims and what was measured. */
export function describeNatCheck(topology: Topology, found: Record<string, NatClassification>): string {
  return topology.peers
    .map((p) => {
      const f = found[p.name];
      return f ? `${p.name}: ${p.nat} → mapping ${f.mapping}, filtering ${f.filtering}${f.mapped ? `, mapped ${f.mapped}` : ''}` : `${p.name}: ${p.nat} (not checked)`;
    })
    .join('\n');
}
