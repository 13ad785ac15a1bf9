import { HarnessError } from '../errors.js';
import { HUB_TABLE } from './names.js';
import { forwardHook, readCounters, replaceTable } from './nft.js';
import { Serial } from './serial.js';

/**
 * Controls that belong to the hub rather than to one link: whether peers may reach EACH OTHER.
 * Peer-to-peer packets are the only ones the hub forwards; packets to a server in the hub (TURN,
 * signaling, app) are delivered locally and never pass the forward hook. So a drop in `forward`
 * kills every direct ICE pair (host and server-reflexive alike, there is no NAT) and leaves
 * the relay through a TURN server in the hub as the only way through (NET-5).
 */
export class HubControl {
  private blockedAll = false;
  private readonly blockedPeers = new Set<string>();
  private droppedBefore = 0;
  private readonly serial = new Serial();

  /** `hubIfnames` maps each peer to the hub's end of its veth. */
  constructor(private readonly hubNs: string, private readonly hubIfnames: ReadonlyMap<string, string>) {}

  get state(): { blockDirectAll: boolean; blockDirectPeers: string[] } {
    return { blockDirectAll: this.blockedAll, blockDirectPeers: [...this.blockedPeers] };
  }

  /** Drops direct traffic between all peers, or only to and from `peer`. */
  async blockDirectPeerTraffic(peer?: string): Promise<void> {
    if (peer !== undefined) this.ifnameOf(peer); // an unknown peer fails here, before any rule changes
    return this.change(() => {
      if (peer === undefined) this.blockedAll = true;
      else this.blockedPeers.add(peer);
    });
  }

  /** Undoes blockDirectPeerTraffic with the same argument. */
  async allowDirectPeerTraffic(peer?: string): Promise<void> {
    return this.change(() => {
      if (peer === undefined) this.blockedAll = false;
      else this.blockedPeers.delete(peer);
    });
  }

  async reset(): Promise<void> {
    return this.change(() => {
      this.blockedAll = false;
      this.blockedPeers.clear();
    });
  }

  private ifnameOf(peer: string): string {
    const ifname = this.hubIfnames.get(peer);
    if (!ifname) {
      throw new HarnessError('ERR_CONFIG', `no peer '${peer}' in this topology`, { context: { peer, peers: [...this.hubIfnames.keys()] }, hint: 'Use a peer name given to createTopology().' });
    }
    return ifname;
  }

  private rules(): string[] {
    const all = `{ ${[...this.hubIfnames.values()].map((i) => `"${i}"`).join(', ')} }`;
    if (this.blockedAll) return [`iifname ${all} oifname ${all} counter drop`];
    return [...this.blockedPeers].flatMap((p) => {
      const own = `"${this.ifnameOf(p)}"`;
      return [`iifname ${own} oifname ${all} counter drop`, `iifname ${all} oifname ${own} counter drop`];
    });
  }

  /** Peer-to-peer packets the hub has dropped since it was made: the in-run proof of blockDirect (NET-5). */
  async droppedPackets(): Promise<number> {
    return this.serial.run(async () => this.droppedBefore + (await this.liveDrops()));
  }

  private async liveDrops(): Promise<number> {
    return this.rules().length === 0 ? 0 : (await readCounters(this.hubNs, 'inet', HUB_TABLE)).packets;
  }

  private async change(mutate: () => void): Promise<void> {
    return this.serial.run(async () => {
      // The table is replaced whole: its counters join the running total first.
      this.droppedBefore += await this.liveDrops();
      mutate();
      await replaceTable(this.hubNs, 'inet', HUB_TABLE, [{ name: 'between_peers', hook: forwardHook(), rules: this.rules() }]);
    });
  }
}
