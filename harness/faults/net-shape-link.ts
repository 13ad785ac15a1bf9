import { HarnessError } from '../errors.js';
import type { LinkControl } from '../netns/link-control.js';
import type { Fault, FaultEvidence } from './fault.js';
import { NET_FAULT_NEEDS, type NetFaultContext } from './net-context.js';
import { registerFault } from './registry.js';

export interface NetShapeLinkParams {
  peer: string;
  /** Token-bucket rate cap, each direction (tc tbf). */
  rateKbps?: number;
  /** Random loss, each direction independently (nft numgen). */
  lossPercent?: number;
}

/**
 * A slow or lossy link (NET-3). No delay: this kernel family often lacks netem, and delay comes
 * from the userspace proxy instead (check netns/netem.ts hasNetem()).
 */
export class NetShapeLink implements Fault<NetShapeLinkParams> {
  readonly name = 'net-shape-link';
  private atInject: { dropped: number; shaped: number } | undefined;
  private atHeal: { dropped: number; shaped: number } | undefined;

  constructor(readonly params: Readonly<NetShapeLinkParams>, private readonly link: LinkControl) {}

  async inject(): Promise<void> {
    this.atHeal = undefined;
    await this.link.shape({ rateKbps: this.params.rateKbps, lossPercent: this.params.lossPercent });
    this.atInject = await this.counted();
  }

  /** Loss must have dropped packets, a rate cap must have held some back (tbf overlimits). */
  evidence(): FaultEvidence | undefined {
    if (this.atInject === undefined || this.atHeal === undefined) return undefined;
    const dropped = this.atHeal.dropped - this.atInject.dropped;
    const shaped = this.atHeal.shaped - this.atInject.shaped;
    const lossActed = !this.params.lossPercent || dropped > 0;
    const rateActed = this.params.rateKbps === undefined || shaped > 0;
    return {
      acted: lossActed && rateActed,
      facts: { packetsDropped: dropped, packetsOverRate: shaped },
      summary: `${this.params.peer}'s link: ${dropped} packets dropped (loss ${this.params.lossPercent ?? 0} %), ${shaped} held back by the rate cap (${this.params.rateKbps ?? 'none'} kbit/s)`,
    };
  }

  private async counted(): Promise<{ dropped: number; shaped: number }> {
    const d = await this.link.droppedPackets();
    return { dropped: d.fromPeer + d.toPeer, shaped: await this.link.shapedPackets() };
  }

  /** Takes off only what this fault set; other controls on the link stay. */
  async heal(): Promise<void> {
    await this.link.shape({
      rateKbps: this.params.rateKbps === undefined ? undefined : null,
      lossPercent: this.params.lossPercent === undefined ? undefined : 0,
    });
    if (this.atInject !== undefined) this.atHeal ??= await this.counted();
  }
}

export const netShapeLink = registerFault<NetShapeLinkParams, NetFaultContext>({
  name: 'net-shape-link',
  summary: "Caps one peer's link rate (tc tbf) and/or drops a random share of its packets (nft numgen), each direction.",
  needs: NET_FAULT_NEEDS,
  create(params, ctx) {
    if (params.rateKbps === undefined && params.lossPercent === undefined) {
      throw new HarnessError('ERR_CONFIG', 'net-shape-link needs rateKbps, lossPercent or both', { context: { params }, hint: 'e.g. { peer: "receiver", rateKbps: 2000, lossPercent: 5 }' });
    }
    return new NetShapeLink(params, ctx.topology.link(params.peer));
  },
});
