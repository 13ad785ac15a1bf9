import { HarnessError } from '../errors.js';
import { runIn } from './exec.js';
import { NAT_TABLE } from './names.js';

/**
 * The NAT a router namespace does between its LAN (the peer) and its WAN (the hub), as one nft
 * table. Measured behaviour, classified with RFC 5780 (NAT.md): the kernel's masquerade keeps the
 * source port whenever the resulting tuple is free, so with one host behind it its MAPPING is
 * endpoint-independent, and conntrack lets in only replies from the exact remote address and
 * port, so its FILTERING is address-and-port-dependent. Each type below starts from that.
 */

export const NAT_TYPES = ['none', 'full-cone', 'port-restricted', 'symmetric', 'udp-blocked'] as const;
export type NatType = (typeof NAT_TYPES)[number];

/** Inside the router: wan0 towards the hub, lan0 towards the peer. */
export const ROUTER_WAN_IFNAME = 'wan0';
export const ROUTER_LAN_IFNAME = 'lan0';
/** As long as Linux keeps a replied UDP flow (nf_conntrack_udp_timeout_stream): a full cone's mapping lives as long as its conntrack entry would. */
const FULL_CONE_MAPPING_TIMEOUT_S = 120;
/** What a corporate firewall lets out by default: HTTPS only. */
export const DEFAULT_ALLOWED_TCP_PORTS: readonly number[] = [443];

export interface NatRouterSpec {
  type: Exclude<NatType, 'none'>;
  /** The router's WAN address: the peer's public (server-reflexive) address. */
  wanAddress: string;
  /** The peer's LAN address, where a full cone forwards unsolicited packets to a mapped port. */
  lanPeer: string;
  /** udp-blocked only: the TCP ports let out (default 443). */
  allowedTcpPorts?: readonly number[];
}

function assertType(type: string): asserts type is NatType {
  if (!(NAT_TYPES as readonly string[]).includes(type)) {
    throw new HarnessError('ERR_CONFIG', `unknown NAT type '${type}'`, { context: { type }, hint: `Use one of ${NAT_TYPES.join(', ')}.` });
  }
}

export function assertNatType(type: string): NatType {
  assertType(type);
  return type;
}

function forwardRules(spec: NatRouterSpec): string[] {
  const out = `iifname "${ROUTER_LAN_IFNAME}" oifname "${ROUTER_WAN_IFNAME}"`;
  const inbound = `iifname "${ROUTER_WAN_IFNAME}" oifname "${ROUTER_LAN_IFNAME}"`;
  switch (spec.type) {
    case 'full-cone':
      return [
        // Every packet out (re)opens its source port to ANY remote: endpoint-independent filtering.
        `${out} meta l4proto udp update @udp_mappings { udp sport }`,
        'ct state established,related accept',
        `${out} accept`,
        `${inbound} udp dport @udp_mappings accept`,
      ];
    case 'port-restricted':
    case 'symmetric':
      // Only conntrack's replies come in: the exact remote address and port the peer sent to.
      return ['ct state established,related accept', `${out} accept`];
    case 'udp-blocked': {
      const ports = spec.allowedTcpPorts ?? DEFAULT_ALLOWED_TCP_PORTS;
      return ['ct state established,related accept', `${out} tcp dport { ${ports.join(', ')} } accept`];
    }
  }
}

/** The whole table as one nft script (replaced atomically, like nft.ts does). */
export function natRouterScript(spec: NatRouterSpec): string {
  assertType(spec.type);
  const fullCone = spec.type === 'full-cone';
  // `random`: no port preservation, a fresh random port for every new flow, so a new port per destination.
  const masquerade = spec.type === 'symmetric' ? 'masquerade random' : 'masquerade';
  const lines = [
    `table ip ${NAT_TABLE} {}`,
    `delete table ip ${NAT_TABLE}`,
    `table ip ${NAT_TABLE} {`,
    ...(fullCone ? [`  set udp_mappings { type inet_service; flags timeout; timeout ${FULL_CONE_MAPPING_TIMEOUT_S}s; }`] : []),
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    // Masquerade preserves the port, so the external port IS the peer's port: forward it as it is.
    ...(fullCone ? [`    iifname "${ROUTER_WAN_IFNAME}" ip daddr ${spec.wanAddress} udp dport @udp_mappings dnat to ${spec.lanPeer}`] : []),
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "${ROUTER_WAN_IFNAME}" ${masquerade}`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    ...forwardRules(spec).map((r) => `    ${r}`),
    '  }',
    '  chain input {',
    // The router itself serves nothing on the WAN: unsolicited packets vanish (no ICMP unreachable).
    '    type filter hook input priority filter; policy drop;',
    '    ct state established,related accept',
    `    iifname { "lo", "${ROUTER_LAN_IFNAME}" } accept`,
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

export async function applyNatRouter(routerNs: string, spec: NatRouterSpec): Promise<void> {
  await runIn(routerNs, 'nft', ['-f', '-'], {
    input: natRouterScript(spec),
    hint: "The ruleset is in this error's context (input); `nft -c -f file` checks it. NAT needs the kernel's nf_nat (nft_masq).",
  });
}

/**
 * Forgets every mapping the router holds (its conntrack table and a full cone's open ports), as a
 * NAT does when it reboots or times out: the peer's next packet gets a new mapping. Note that a
 * port-preserving NAT hands the same external port out again (NAT.md).
 */
export async function flushNatMappings(routerNs: string, type: NatType): Promise<void> {
  await runIn(routerNs, 'conntrack', ['-F'], { hint: 'Needs the conntrack tool: apt-get install -y conntrack.' });
  if (type === 'full-cone') await runIn(routerNs, 'nft', ['flush', 'set', 'ip', NAT_TABLE, 'udp_mappings']);
}
