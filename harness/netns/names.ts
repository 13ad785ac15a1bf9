import { HarnessError } from '../errors.js';

/**
 * Every namespace and nft table this harness creates starts with this prefix, so a sweep after a
 * crashed run can find its leftovers and can never touch anyone else's.
 */
export const NETNS_PREFIX = 'wrh-';

/** The peer-side end of every peer's veth, inside the peer's own namespace. */
export const PEER_IFNAME = 'wan0';

/** Linux interface names hold at most 15 characters (IFNAMSIZ - 1). */
const IFNAME_MAX_CHARS = 15;
const TOPOLOGY_NAME = /^[a-z0-9]{1,16}$/;
const PEER_NAME = /^[a-z][a-z0-9]{0,15}$/;
const RESERVED_PEER_NAMES = new Set(['hub']);

export function assertTopologyName(name: string): void {
  if (!TOPOLOGY_NAME.test(name)) {
    throw new HarnessError('ERR_CONFIG', `topology name '${name}' must be 1-16 lowercase letters or digits`, {
      context: { name },
      hint: "Use a short random name such as 'h' + a few random hex digits, unique per run.",
    });
  }
}

export function assertPeerNames(peers: readonly string[]): void {
  const bad = peers.filter((p) => !PEER_NAME.test(p) || RESERVED_PEER_NAMES.has(p));
  const duplicate = peers.find((p, i) => peers.indexOf(p) !== i);
  if (peers.length === 0 || bad.length > 0 || duplicate !== undefined) {
    throw new HarnessError('ERR_CONFIG', `peer names must be distinct, start with a letter, hold 1-16 lowercase letters or digits, and not be 'hub' (got ${JSON.stringify(peers)})`, {
      context: { peers, bad, duplicate },
      hint: "Name peers by role: ['sender', 'receiver'].",
    });
  }
}

export function hubNamespace(topology: string): string {
  return `${NETNS_PREFIX}${topology}-hub`;
}

export function peerNamespace(topology: string, peer: string): string {
  return `${NETNS_PREFIX}${topology}-${peer}`;
}

/** The NAT router in front of `peer` (nat-router.ts); peer names hold no '-', so no peer's namespace can take this name. */
export function routerNamespace(topology: string, peer: string): string {
  return `${NETNS_PREFIX}${topology}-${peer}-nat`;
}

/** The hub-side end of peer number `index`'s veth; the index keeps it short and unique. */
export function hubIfname(index: number, peer: string): string {
  return `v${index}-${peer}`.slice(0, IFNAME_MAX_CHARS);
}

/** nft table holding one side of one link's rules (see link-control.ts). */
export function linkTable(peer: string): string {
  return `${NETNS_PREFIX}link-${peer}`;
}

/** nft table in the hub holding the rules between peers (see hub-control.ts). */
export const HUB_TABLE = `${NETNS_PREFIX}hub`;

/** nft table in a NAT router namespace holding its NAT and firewall (see nat-router.ts). */
export const NAT_TABLE = `${NETNS_PREFIX}nat`;
