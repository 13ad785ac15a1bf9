import { HarnessError } from '../errors.js';
import { linkTable } from './names.js';
import { ingressHook, readCounters, replaceTable } from './nft.js';
import { Serial } from './serial.js';
import { assertRateKbps, clearRate, readQdiscStats, setRate } from './tc.js';

/**
 * The controls on ONE peer's link (its veth to the hub). The link is a state (cut? rate? loss?
 * what is blocked?) and every change rewrites the whole state at both ends, so calls are
 * idempotent, any order of heals is safe, and reset() always gets back to a clean wire.
 *
 * Where each control acts, and why:
 * - Drops (cut, loss, filters) are nft rules on the INGRESS hook of each end: the hub's end sees
 *   what the peer sends, the peer's end sees what it receives. A packet dropped there is lost "on
 *   the wire": the sender's send() succeeds and nothing answers, exactly like a dead path, so ICE
 *   must notice by itself (consent checks) instead of getting a local error (an OUTPUT drop
 *   would hand Chromium EPERM). It also catches traffic to servers in the hub, which a
 *   forward-only rule would miss. ARP alone passes (see ARP_PASSES).
 * - Rate limits are tc tbf on the EGRESS of each end (tc shapes only what a device sends).
 */

export type BlockProto = 'udp' | 'tcp';

export interface PortBlock {
  port: number;
  proto: BlockProto;
}

export interface LinkState {
  cut: boolean;
  /** Undefined: unshaped. Applies to each direction. */
  rateKbps: number | undefined;
  /** 0-100, applied to each direction independently (a round trip loses about twice as much). */
  lossPercent: number;
  blockUdp: boolean;
  /** Ports of a remote service (STUN/TURN), blocked for this peer: its requests and the answers. */
  blockedPorts: PortBlock[];
}

/** Packets dropped on one link: `fromPeer` at the hub's end (what the peer sent), `toPeer` at the peer's end. */
export interface LinkDrops {
  fromPeer: number;
  toPeer: number;
}

export interface LinkEnds {
  peer: string;
  peerNs: string;
  peerIfname: string;
  hubNs: string;
  hubIfname: string;
}

/** The default STUN/TURN port (RFC 8489); harness-managed coturn uses a free port, pass it. */
export const DEFAULT_STUN_PORT = 3478;
/**
 * The controls model the PATH failing, not the cable: ARP between a peer and its gateway always
 * passes. Otherwise a cut of a few seconds leaves the neighbour entry FAILED, the first packets
 * after restore die with it, and recovery times would measure the kernel's ARP retries, not ICE.
 */
const ARP_PASSES = 'meta protocol arp accept';
/** numgen draws from 0..9999, so loss has a resolution of 0.01 %. */
const LOSS_RESOLUTION = 10_000;
const MAX_PORT = 65_535;

function cleanState(): LinkState {
  return { cut: false, rateKbps: undefined, lossPercent: 0, blockUdp: false, blockedPorts: [] };
}

/** Every drop is counted: a fault proves it acted by the packets it dropped (FaultEvidence). */
const COUNTED_DROP = 'counter drop';

/** Rules for one end's ingress: `fromPeer` is the hub's end (the peer sends), else the peer's end. */
export function linkIngressRules(state: LinkState, fromPeer: boolean): string[] {
  if (state.cut) return [ARP_PASSES, COUNTED_DROP];
  const rules: string[] = [];
  if (state.blockUdp) rules.push(`meta l4proto udp ${COUNTED_DROP}`);
  for (const b of state.blockedPorts) rules.push(`${b.proto} ${fromPeer ? 'dport' : 'sport'} ${b.port} ${COUNTED_DROP}`);
  // numgen draws 0..9999, and nft refuses `< 10000` as out of range: 100 % loss is a plain drop.
  if (state.lossPercent >= 100) rules.push(COUNTED_DROP);
  else if (state.lossPercent > 0) rules.push(`numgen random mod ${LOSS_RESOLUTION} < ${Math.round((state.lossPercent * LOSS_RESOLUTION) / 100)} ${COUNTED_DROP}`);
  return rules.length > 0 ? [ARP_PASSES, ...rules] : [];
}

function assertLoss(lossPercent: number): void {
  if (!Number.isFinite(lossPercent) || lossPercent < 0 || lossPercent > 100) {
    throw new HarnessError('ERR_CONFIG', `lossPercent must be between 0 and 100 (got ${lossPercent})`, { context: { lossPercent }, hint: 'Give loss in percent per direction, e.g. 5.' });
  }
}

function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > MAX_PORT) {
    throw new HarnessError('ERR_CONFIG', `port must be an integer 1-${MAX_PORT} (got ${port})`, { context: { port }, hint: 'Pass the TURN/STUN server port the peers use.' });
  }
}

export class LinkControl {
  private current: LinkState = cleanState();
  /** Changes (and counter reads) run one at a time: a timed restore and a heal may race. */
  private readonly serial = new Serial();
  private appliedRateKbps: number | undefined;
  /** Packets dropped by tables already replaced (each change starts new counters). */
  private droppedBefore: LinkDrops = { fromPeer: 0, toPeer: 0 };
  /** Packets tbf held back (overlimits) by qdiscs already removed. */
  private overlimitsBefore = 0;

  constructor(readonly ends: LinkEnds) {}

  /**
   * Every packet this link's rules have dropped since it was made, per direction: the in-run
   * proof of cut, loss and block faults. Read in the same queue as changes, so it never straddles one.
   */
  async droppedPackets(): Promise<LinkDrops> {
    return this.serial.run(async () => {
      const now = await this.liveDrops();
      return { fromPeer: this.droppedBefore.fromPeer + now.fromPeer, toPeer: this.droppedBefore.toPeer + now.toPeer };
    });
  }

  /** Packets the rate limit held back or dropped since the link was made (tbf overlimits, both ends). */
  async shapedPackets(): Promise<number> {
    return this.serial.run(async () => this.overlimitsBefore + (await this.liveOverlimits()));
  }

  get peer(): string {
    return this.ends.peer;
  }

  get state(): Readonly<LinkState> {
    return { ...this.current, blockedPorts: [...this.current.blockedPorts] };
  }

  /** Drops everything in both directions, silently. */
  async cut(): Promise<void> {
    return this.change((s) => ({ ...s, cut: true }));
  }

  async restore(): Promise<void> {
    return this.change((s) => ({ ...s, cut: false }));
  }

  /** Sets the given shapes; an omitted field keeps its value, `rateKbps: null` and `lossPercent: 0` take it off. */
  async shape(opts: { rateKbps?: number | null; lossPercent?: number }): Promise<void> {
    if (opts.lossPercent !== undefined) assertLoss(opts.lossPercent);
    if (typeof opts.rateKbps === 'number') assertRateKbps(opts.rateKbps);
    return this.change((s) => ({
      ...s,
      rateKbps: opts.rateKbps === undefined ? s.rateKbps : (opts.rateKbps ?? undefined),
      lossPercent: opts.lossPercent ?? s.lossPercent,
    }));
  }

  async unshape(): Promise<void> {
    return this.change((s) => ({ ...s, rateKbps: undefined, lossPercent: 0 }));
  }

  async blockUdp(): Promise<void> {
    return this.change((s) => ({ ...s, blockUdp: true }));
  }

  async unblockUdp(): Promise<void> {
    return this.change((s) => ({ ...s, blockUdp: false }));
  }

  /** Blocks one server port for this peer (e.g. TURN over UDP for TURN-2, or TCP for the fallback). */
  async blockTurnPort(port: number, proto: BlockProto = 'udp'): Promise<void> {
    assertPort(port);
    return this.change((s) => (s.blockedPorts.some((b) => b.port === port && b.proto === proto) ? s : { ...s, blockedPorts: [...s.blockedPorts, { port, proto }] }));
  }

  async unblockTurnPort(port: number, proto: BlockProto = 'udp'): Promise<void> {
    return this.change((s) => ({ ...s, blockedPorts: s.blockedPorts.filter((b) => !(b.port === port && b.proto === proto)) }));
  }

  /** STUN (and TURN over UDP) to `port`: no binding answers, so no server-reflexive candidate. */
  async blockStun(port = DEFAULT_STUN_PORT): Promise<void> {
    return this.blockTurnPort(port, 'udp');
  }

  async unblockStun(port = DEFAULT_STUN_PORT): Promise<void> {
    return this.unblockTurnPort(port, 'udp');
  }

  /** Every control off: no rule, no qdisc. */
  async reset(): Promise<void> {
    return this.change(() => cleanState());
  }

  private async change(next: (s: LinkState) => LinkState): Promise<void> {
    return this.serial.run(async () => {
      const state = next(this.state);
      await this.foldCounters(state);
      await this.apply(state);
      this.current = state;
    });
  }

  /** Before the tables (and qdiscs) are replaced, their counters join the running totals. */
  private async foldCounters(next: LinkState): Promise<void> {
    const now = await this.liveDrops();
    this.droppedBefore = { fromPeer: this.droppedBefore.fromPeer + now.fromPeer, toPeer: this.droppedBefore.toPeer + now.toPeer };
    if (next.rateKbps !== this.appliedRateKbps) this.overlimitsBefore += await this.liveOverlimits();
  }

  private async liveDrops(): Promise<LinkDrops> {
    if (linkIngressRules(this.current, true).length === 0) return { fromPeer: 0, toPeer: 0 };
    const { peer, peerNs, hubNs } = this.ends;
    const [fromPeer, toPeer] = await Promise.all([readCounters(hubNs, 'netdev', linkTable(peer)), readCounters(peerNs, 'netdev', linkTable(peer))]);
    return { fromPeer: fromPeer.packets, toPeer: toPeer.packets };
  }

  private async liveOverlimits(): Promise<number> {
    if (this.appliedRateKbps === undefined) return 0;
    const { peerNs, peerIfname, hubNs, hubIfname } = this.ends;
    const [hub, own] = await Promise.all([readQdiscStats(hubNs, hubIfname), readQdiscStats(peerNs, peerIfname)]);
    return hub.overlimits + hub.dropped + own.overlimits + own.dropped;
  }

  private async apply(state: LinkState): Promise<void> {
    const { peer, peerNs, peerIfname, hubNs, hubIfname } = this.ends;
    const table = linkTable(peer);
    await replaceTable(hubNs, 'netdev', table, [{ name: 'from_peer', hook: ingressHook(hubIfname), rules: linkIngressRules(state, true) }]);
    await replaceTable(peerNs, 'netdev', table, [{ name: 'to_peer', hook: ingressHook(peerIfname), rules: linkIngressRules(state, false) }]);
    if (state.rateKbps === this.appliedRateKbps) return;
    if (state.rateKbps === undefined) {
      await clearRate(hubNs, hubIfname);
      await clearRate(peerNs, peerIfname);
    } else {
      await setRate(hubNs, hubIfname, state.rateKbps);
      await setRate(peerNs, peerIfname, state.rateKbps);
    }
    this.appliedRateKbps = state.rateKbps;
  }
}
