import { HarnessError } from '../errors.js';
import { createLogger } from '../log.js';
import { alternateServiceAddress, lanAddresses, linkAddresses, serviceAddress, subnetOf } from './addressing.js';
import { run, runIn } from './exec.js';
import { HubControl } from './hub-control.js';
import { LinkControl } from './link-control.js';
import { assertPeerNames, assertTopologyName, hubIfname, hubNamespace, PEER_IFNAME, peerNamespace, routerNamespace } from './names.js';
import { applyNatRouter, assertNatType, flushNatMappings, ROUTER_LAN_IFNAME, ROUTER_WAN_IFNAME, type NatType } from './nat-router.js';
import { busyError, deleteNamespaces } from './namespaces.js';
import { claimSlot, releaseSlot, type TopologyClaim } from './registry.js';

/**
 * A hub namespace routing between one namespace per peer (README.md draws it). Each browser
 * runs in its peer's namespace, so its WebRTC traffic crosses a veth we can cut, shape and filter;
 * servers run in the hub and listen on `serviceAddress`.
 */

export interface TopologyOptions {
  /** Short and unique per run (e.g. 'h' + random hex): namespaces are named wrh-<name>-<role>. */
  name: string;
  peers: string[];
  /** The NAT in front of each peer (nat-router.ts); a peer not named here gets 'none' (on the hub link itself). */
  nat?: Readonly<Record<string, NatType>>;
  /** For 'udp-blocked' routers: the TCP ports let out (default [443]). */
  natAllowedTcpPorts?: readonly number[];
}

export interface PeerNode {
  readonly name: string;
  readonly ns: string;
  /** The peer's only non-loopback address: its host ICE candidate (a private LAN address behind a NAT). */
  readonly address: string;
  /** The peer's default route: the hub's end of the link, or its NAT router's LAN address. */
  readonly gateway: string;
  readonly nat: NatType;
  /** The NAT router's namespace (undefined for 'none'). */
  readonly routerNs: string | undefined;
  /** Where the hub sees this peer come from: its server-reflexive address behind a NAT, else `address`. */
  readonly publicAddress: string;
  readonly ifname: string;
  readonly hubIfname: string;
  readonly link: LinkControl;
}

export interface Topology {
  readonly name: string;
  readonly hubNs: string;
  /** 10.77.<slot>.0/24, unique among the topologies alive on this machine. */
  readonly subnet: string;
  /** On the hub's lo, reachable from every peer: servers in the hub listen here. */
  readonly serviceAddress: string;
  /** A second address on the hub's lo, for a STUN server's RFC 5780 alternate address. */
  readonly alternateServiceAddress: string;
  readonly peers: readonly PeerNode[];
  /** Peer-to-peer controls (blockDirectPeerTraffic). */
  readonly hub: HubControl;
  peer(name: string): PeerNode;
  link(peer: string): LinkControl;
  /** Empties `peer`'s NAT router's mappings (conntrack and all): its next packet gets a new mapping. */
  flushNatMappings(peer: string): Promise<void>;
  /** Every namespace of this topology, hub first. */
  namespaces(): string[];
  /** Deletes the namespaces (with their veths, nft tables and qdiscs) and the claim. Idempotent. */
  destroy(): Promise<void>;
}

const log = createLogger('netns');

/** Written through /proc in the namespace: `ip netns exec` gives each one its own /proc/sys/net. */
async function setSysctl(ns: string, key: string, value: string): Promise<void> {
  await runIn(ns, 'sh', ['-c', `echo ${value} > /proc/sys/${key.replaceAll('.', '/')}`]);
}

async function addNamespace(ns: string, routes: boolean): Promise<void> {
  await run('ip', ['netns', 'add', ns], { hint: `A namespace named ${ns} already exists (a name reused?) or you are not root; \`ip netns list\` shows it, sweepStale() removes leftovers.` });
  await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  // IPv4 only: no link-local IPv6 candidates, no DAD wait, and every rule covers every packet.
  await setSysctl(ns, 'net.ipv6.conf.all.disable_ipv6', '1');
  await setSysctl(ns, 'net.ipv6.conf.default.disable_ipv6', '1');
  if (routes) await setSysctl(ns, 'net.ipv4.ip_forward', '1');
}

type NodeSpec = Omit<PeerNode, 'link'>;

interface PeerPlan {
  claim: TopologyClaim;
  hubNs: string;
  index: number;
  peer: string;
  nat: NatType;
  allowedTcpPorts: readonly number[] | undefined;
}


interface VethEnd {
  ns: string;
  ifname: string;
  address: string;
}

/**
 * A veth made inside `near.ns` with its far end moved straight into `far.ns` (no name ever appears
 * in the root namespace), both ends addressed and up, and the far end's default route via the near one.
 */
async function addVethLink(near: VethEnd, far: VethEnd, prefixLength: number): Promise<void> {
  await run('ip', ['-n', near.ns, 'link', 'add', near.ifname, 'type', 'veth', 'peer', 'name', far.ifname, 'netns', far.ns]);
  await run('ip', ['-n', near.ns, 'addr', 'add', `${near.address}/${prefixLength}`, 'dev', near.ifname]);
  await run('ip', ['-n', near.ns, 'link', 'set', near.ifname, 'up']);
  await run('ip', ['-n', far.ns, 'addr', 'add', `${far.address}/${prefixLength}`, 'dev', far.ifname]);
  await run('ip', ['-n', far.ns, 'link', 'set', far.ifname, 'up']);
  await run('ip', ['-n', far.ns, 'route', 'add', 'default', 'via', near.address]);
}

async function addPeer(plan: PeerPlan): Promise<NodeSpec> {
  const { claim, hubNs, index, peer, nat } = plan;
  const ns = peerNamespace(claim.topology, peer);
  const hubIf = hubIfname(index, peer);
  const addr = linkAddresses(claim.slot, index);
  // The far end of the hub's veth: the peer itself, or its NAT router.
  const wanNs = nat === 'none' ? ns : routerNamespace(claim.topology, peer);
  const wanIf = nat === 'none' ? PEER_IFNAME : ROUTER_WAN_IFNAME;
  await addNamespace(ns, false);
  if (wanNs !== ns) await addNamespace(wanNs, true);
  await addVethLink({ ns: hubNs, ifname: hubIf, address: addr.hub }, { ns: wanNs, ifname: wanIf, address: addr.peer }, addr.prefixLength);
  const base = { name: peer, ns, nat, ifname: PEER_IFNAME, hubIfname: hubIf, publicAddress: addr.peer };
  // Without a default route Chromium finds no usable interface and gathers no ICE candidate at all.
  if (nat === 'none') return { ...base, address: addr.peer, gateway: addr.hub, routerNs: undefined };
  const lan = lanAddresses(index);
  await addVethLink({ ns: wanNs, ifname: ROUTER_LAN_IFNAME, address: lan.router }, { ns, ifname: PEER_IFNAME, address: lan.peer }, lan.prefixLength);
  await applyNatRouter(wanNs, { type: nat, wanAddress: addr.peer, lanPeer: lan.peer, allowedTcpPorts: plan.allowedTcpPorts });
  return { ...base, address: lan.peer, gateway: lan.router, routerNs: wanNs };
}

function natOf(opts: TopologyOptions, peer: string): NatType {
  return assertNatType(opts.nat?.[peer] ?? 'none');
}

export async function createTopology(opts: TopologyOptions): Promise<Topology> {
  assertTopologyName(opts.name);
  assertPeerNames(opts.peers);
  const hubNs = hubNamespace(opts.name);
  const unknown = Object.keys(opts.nat ?? {}).filter((p) => !opts.peers.includes(p));
  if (unknown.length > 0) throw new HarnessError('ERR_CONFIG', `nat names peers that are not in the topology: ${unknown.join(', ')}`, { context: { nat: opts.nat, peers: opts.peers }, hint: 'Key `nat` by the peer names given in `peers`.' });
  const nats = opts.peers.map((p) => natOf(opts, p));
  const routers = opts.peers.filter((_, i) => nats[i] !== 'none').map((p) => routerNamespace(opts.name, p));
  // Hub first, then the routers: deleting them first takes every path down before the peers go.
  const names = [hubNs, ...routers, ...opts.peers.map((p) => peerNamespace(opts.name, p))];
  // Claimed (and so registered for a sweep) before anything exists, so a crash at any step is swept.
  const claim = claimSlot(opts.name, names);
  const topology = new NetnsTopology(claim, hubNs);
  try {
    await addNamespace(hubNs, true);
    await run('ip', ['-n', hubNs, 'addr', 'add', `${serviceAddress(claim.slot)}/32`, 'dev', 'lo']);
    await run('ip', ['-n', hubNs, 'addr', 'add', `${alternateServiceAddress(claim.slot)}/32`, 'dev', 'lo']);
    for (const [i, peer] of opts.peers.entries()) {
      topology.adopt(await addPeer({ claim, hubNs, index: i, peer, nat: nats[i]!, allowedTcpPorts: opts.natAllowedTcpPorts }));
    }
  } catch (err) {
    // The first error is the one to report; a failed cleanup is said out loud, since it leaves state behind.
    await topology.destroy().catch((cleanupErr: unknown) => console.warn(`harness/netns: cleanup after a failed createTopology(${opts.name}) failed too; sweepStale() removes the leftovers once this process exits: ${String(cleanupErr)}`));
    throw err;
  }
  log(`topology ${opts.name} up: ${subnetOf(claim.slot)}, peers ${opts.peers.map((p, i) => `${p} (NAT ${nats[i]})`).join(', ')}`);
  return topology;
}

class NetnsTopology implements Topology {
  readonly name: string;
  readonly subnet: string;
  readonly serviceAddress: string;
  readonly alternateServiceAddress: string;
  readonly hub: HubControl;
  private readonly nodes: PeerNode[] = [];
  private readonly hubIfnames = new Map<string, string>();
  private destroying: Promise<void> | undefined;
  private released = false;

  constructor(private readonly claim: TopologyClaim, readonly hubNs: string) {
    this.name = claim.topology;
    this.subnet = subnetOf(claim.slot);
    this.serviceAddress = serviceAddress(claim.slot);
    this.alternateServiceAddress = alternateServiceAddress(claim.slot);
    this.hub = new HubControl(hubNs, this.hubIfnames);
  }

  get peers(): readonly PeerNode[] {
    return this.nodes;
  }

  adopt(node: NodeSpec): void {
    const link = new LinkControl({ peer: node.name, peerNs: node.ns, peerIfname: node.ifname, hubNs: this.hubNs, hubIfname: node.hubIfname });
    this.nodes.push({ ...node, link });
    this.hubIfnames.set(node.name, node.hubIfname);
  }

  peer(name: string): PeerNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) {
      throw new HarnessError('ERR_CONFIG', `no peer '${name}' in topology ${this.name}`, {
        context: { peer: name, peers: this.nodes.map((n) => n.name) },
        hint: 'Use a peer name given to createTopology().',
      });
    }
    return node;
  }

  link(peer: string): LinkControl {
    return this.peer(peer).link;
  }

  async flushNatMappings(peer: string): Promise<void> {
    const node = this.peer(peer);
    if (node.routerNs === undefined) {
      throw new HarnessError('ERR_CONFIG', `peer '${peer}' of topology ${this.name} is behind no NAT: there are no mappings to flush`, {
        context: { peer, nat: node.nat },
        hint: "Give the peer a NAT type (createTopology({ nat: { [peer]: 'port-restricted' } })).",
      });
    }
    await flushNatMappings(node.routerNs, node.nat);
  }

  namespaces(): string[] {
    return [...this.claim.namespaces];
  }

  async destroy(): Promise<void> {
    // Concurrent calls share one teardown; a later call runs it again, harmlessly (or to retry a failed one).
    this.destroying ??= this.teardown().finally(() => {
      this.destroying = undefined;
    });
    return this.destroying;
  }

  private async teardown(): Promise<void> {
    // The hub goes first: its veths die with it, so anything left in a peer namespace is offline at once.
    const busy = await deleteNamespaces(this.claim.namespaces);
    if (!this.released) {
      // Once only: after the release another topology may claim this slot, and its claim is not ours to delete.
      releaseSlot(this.claim.slot);
      this.released = true;
      log(`topology ${this.name} destroyed`);
    }
    if (Object.keys(busy).length > 0) throw busyError(busy);
  }
}
