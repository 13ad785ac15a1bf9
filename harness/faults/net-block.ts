import { HarnessError } from '../errors.js';
import { DEFAULT_STUN_PORT, type LinkControl } from '../netns/link-control.js';
import type { Topology } from '../netns/topology.js';
import type { Fault } from './fault.js';
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

  constructor(readonly params: Readonly<NetBlockParams>, private readonly topology: Topology, private readonly stunPort: number) {}

  async inject(): Promise<void> {
    for (const link of this.links()) {
      if (this.params.blockUdp) await link.blockUdp();
      if (this.params.blockStun) await link.blockStun(this.stunPort);
    }
    if (this.params.blockDirect) await this.topology.hub.blockDirectPeerTraffic(this.params.peer);
  }

  /** Takes off only the filters this fault set. */
  async heal(): Promise<void> {
    for (const link of this.links()) {
      if (this.params.blockUdp) await link.unblockUdp();
      if (this.params.blockStun) await link.unblockStun(this.stunPort);
    }
    if (this.params.blockDirect) await this.topology.hub.allowDirectPeerTraffic(this.params.peer);
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
