import { HarnessError } from '../errors.js';
import { DEFAULT_STUN_PORT, type LinkControl } from '../netns/link-control.js';
import type { Topology } from '../netns/topology.js';
import type { Fault, FaultEvidence } from './fault.js';
import { NET_FAULT_NEEDS, type NetFaultContext } from './net-context.js';
import { registerFault } from './registry.js';

export interface NetBlockParams {
  /** The peer whose traffic is filtered; omitted: every peer. */
  peer?: string;
  /** All UDP on the link (ICE over UDP, STUN, TURN/UDP): only TCP gets through. */
  blockUdp?: boolean;
  /** UDP to the STUN/TURN port: no srflx candidate, no TURN/UDP (TURN-2 keeps TURN/TCP). */
  blockStun?: boolean;
  /** Default: the context's stunPort, else 3478. */
  stunPort?: number;
  /** Peer-to-peer traffic through the hub: only a relay through a server in the hub works (NET-5). */
  blockDirect?: boolean;
}

/** Filters that leave the link up but take some paths away (NET-5, TURN-2). */
export class NetBlock implements Fault<NetBlockParams> {
  readonly name = 'net-block';
  private atInject: number | undefined;
  private atHeal: number | undefined;

  constructor(readonly params: Readonly<NetBlockParams>, private readonly topology: Topology, private readonly stunPort: number) {}

  async inject(): Promise<void> {
    for (const link of this.links()) {
      if (this.params.blockUdp) await link.blockUdp();
      if (this.params.blockStun) await link.blockStun(this.stunPort);
    }
    if (this.params.blockDirect) await this.topology.hub.blockDirectPeerTraffic(this.params.peer);
    this.atHeal = undefined;
    this.atInject = await this.dropped();
  }

  /** Packets the filters dropped while on: a filter nothing tried to pass did not act. */
  evidence(): FaultEvidence | undefined {
    if (this.atInject === undefined || this.atHeal === undefined) return undefined;
    const dropped = this.atHeal - this.atInject;
    const what = [this.params.blockUdp && 'UDP', this.params.blockStun && `STUN/TURN-UDP :${this.stunPort}`, this.params.blockDirect && 'direct peer traffic'].filter(Boolean).join(', ');
    return { acted: dropped > 0, facts: { packetsDropped: dropped }, summary: `blocked ${what} for ${this.params.peer ?? 'every peer'}: ${dropped} packets dropped` };
  }

  /** Drops on the filtered links plus, for blockDirect, the hub's drops between peers. */
  private async dropped(): Promise<number> {
    let total = 0;
    if (this.params.blockUdp || this.params.blockStun) {
      for (const link of this.links()) {
        const d = await link.droppedPackets();
        total += d.fromPeer + d.toPeer;
      }
    }
    if (this.params.blockDirect) total += await this.topology.hub.droppedPackets();
    return total;
  }

  /** Takes off only the filters this fault set. */
  async heal(): Promise<void> {
    for (const link of this.links()) {
      if (this.params.blockUdp) await link.unblockUdp();
      if (this.params.blockStun) await link.unblockStun(this.stunPort);
    }
    if (this.params.blockDirect) await this.topology.hub.allowDirectPeerTraffic(this.params.peer);
    if (this.atInject !== undefined) this.atHeal ??= await this.dropped();
  }

  private links(): LinkControl[] {
    return this.params.peer === undefined ? this.topology.peers.map((p) => p.link) : [this.topology.link(this.params.peer)];
  }
}

export const netBlock = registerFault<NetBlockParams, NetFaultContext>({
  name: 'net-block',
  summary: 'Blocks UDP, STUN/TURN-over-UDP, or direct peer-to-peer traffic for one peer or all of them.',
  needs: NET_FAULT_NEEDS,
  create(params, ctx) {
    if (!params.blockUdp && !params.blockStun && !params.blockDirect) {
      throw new HarnessError('ERR_CONFIG', 'net-block needs at least one of blockUdp, blockStun, blockDirect', { context: { params }, hint: 'e.g. { blockDirect: true } for NET-5.' });
    }
    if (params.peer !== undefined) ctx.topology.peer(params.peer); // an unknown peer fails here, not at inject
    return new NetBlock(params, ctx.topology, params.stunPort ?? ctx.stunPort ?? DEFAULT_STUN_PORT);
  },
});
