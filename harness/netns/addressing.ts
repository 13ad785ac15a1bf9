import { HarnessError } from '../errors.js';

/**
 * Addresses of one topology: the private test range 10.77.<slot>.0/24, where <slot> is claimed
 * per topology (registry.ts) so parallel workers never share one. The range exists only on veths
 * between our own namespaces; nothing routes it to the host.
 *
 *   peer i's link   10.77.S.(4i)/30: hub side .4i+1, peer side .4i+2
 *   service address 10.77.S.254/32 on the hub's lo: servers started in the hub listen here
 *   alternate       10.77.S.253/32 on the hub's lo: coturn's second address for RFC 5780
 *   behind a NAT    the peer sits on 192.168.(i+1).0/24 (router .1, peer .2), an address the hub
 *                   cannot route: only the router's WAN end (the link's peer side) is public
 */
export const TEST_RANGE_PREFIX = '10.77';
export const SUBNET_SLOTS = 256;
const LINK_BLOCK_SIZE = 4;
const SERVICE_HOST = 254;
const ALTERNATE_SERVICE_HOST = 253;
const LAN_PREFIX = '192.168';
/** Links fill .0-.251; the block at .252 would hold the service address. */
export const MAX_PEERS = Math.floor(SERVICE_HOST / LINK_BLOCK_SIZE);

export interface LinkAddresses {
  /** The hub's end: the peer's default gateway. */
  hub: string;
  /** The peer's own address: its host ICE candidate. */
  peer: string;
  prefixLength: 30;
}

export function subnetOf(slot: number): string {
  return `${TEST_RANGE_PREFIX}.${slot}.0/24`;
}

export function serviceAddress(slot: number): string {
  return `${TEST_RANGE_PREFIX}.${slot}.${SERVICE_HOST}`;
}

export function alternateServiceAddress(slot: number): string {
  return `${TEST_RANGE_PREFIX}.${slot}.${ALTERNATE_SERVICE_HOST}`;
}

/** The private LAN between a NAT router and peer number `index` (distinct per peer, so no host candidate is another peer's). */
export function lanAddresses(index: number): { router: string; peer: string; prefixLength: 24 } {
  return { router: `${LAN_PREFIX}.${index + 1}.1`, peer: `${LAN_PREFIX}.${index + 1}.2`, prefixLength: 24 };
}

export function linkAddresses(slot: number, index: number): LinkAddresses {
  if (index < 0 || index >= MAX_PEERS) {
    throw new HarnessError('ERR_CONFIG', `a topology holds at most ${MAX_PEERS} peers (asked for peer #${index + 1})`, {
      context: { slot, index },
      hint: 'Split the peers over several topologies.',
    });
  }
  const base = index * LINK_BLOCK_SIZE;
  return { hub: `${TEST_RANGE_PREFIX}.${slot}.${base + 1}`, peer: `${TEST_RANGE_PREFIX}.${slot}.${base + 2}`, prefixLength: 30 };
}
