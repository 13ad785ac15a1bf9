import { HarnessError } from '../errors.js';
import type { LinkControl, LinkDrops } from '../netns/link-control.js';
import type { Fault, FaultEvidence } from './fault.js';
import { NET_FAULT_NEEDS, type NetFaultContext } from './net-context.js';
import { registerFault } from './registry.js';

export interface NetCutLinkParams {
  /** The peer whose link to the hub goes dead (both directions, silently). */
  peer: string;
  /** Restore by itself this long after inject (NET-1: 3000); omitted: cut until heal(). */
  durationMs?: number;
}

/**
 * Cuts one peer's link for real: every packet on its veth is dropped at both ends, so ICE sees a
 * silent path, not an error (NET-1, NET-4; see netns/link-control.ts).
 */
export class NetCutLink implements Fault<NetCutLinkParams> {
  readonly name = 'net-cut-link';
  /** When the link came back (timed restore or heal); undefined while cut or before inject. */
  restoredAtMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timedRestore: Promise<void> | undefined;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private dropsAtCut: LinkDrops | undefined;
  private dropsAtRestore: LinkDrops | undefined;

  constructor(readonly params: Readonly<NetCutLinkParams>, private readonly link: LinkControl) {}

  async inject(): Promise<void> {
    clearTimeout(this.timer);
    this.restoredAtMs = undefined;
    this.dropsAtRestore = undefined;
    await this.link.cut();
    this.dropsAtCut = await this.link.droppedPackets();
    const { durationMs } = this.params;
    if (durationMs !== undefined) {
      // Kept, not fired and forgotten: heal() awaits it, so a failed timed restore is reported there.
      this.timer = setTimeout(() => {
        this.timedRestore = this.restoreNow();
        this.timedRestore.catch(() => undefined); // only marks it handled; heal() awaits and throws it
      }, durationMs);
    }
  }

  async heal(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const timed = this.timedRestore;
    this.timedRestore = undefined;
    await timed;
    await this.restoreNow();
  }

  /** Packets the cut dropped, both directions: a cut that dropped nothing did not act. */
  evidence(): FaultEvidence | undefined {
    const at = this.dropsAtCut;
    const after = this.dropsAtRestore;
    if (at === undefined || after === undefined) return undefined;
    const fromPeer = after.fromPeer - at.fromPeer;
    const toPeer = after.toPeer - at.toPeer;
    return {
      acted: fromPeer + toPeer > 0,
      facts: { packetsDroppedFromPeer: fromPeer, packetsDroppedToPeer: toPeer },
      summary: `dropped ${fromPeer} packets from and ${toPeer} to ${this.params.peer} while cut`,
    };
  }

  /** Resolves once the link is back: for measuring recovery from the moment of restore. */
  async untilRestored(): Promise<void> {
    if (this.restoredAtMs !== undefined) return;
    await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async restoreNow(): Promise<void> {
    try {
      await this.link.restore();
      this.dropsAtRestore ??= await this.link.droppedPackets();
    } catch (err) {
      for (const w of this.waiters.splice(0)) w.reject(err);
      throw err;
    }
    this.restoredAtMs ??= Date.now();
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}

export const netCutLink = registerFault<NetCutLinkParams, NetFaultContext>({
  name: 'net-cut-link',
  summary: "Drops every packet on one peer's link to the hub, both ways, silently; restores after durationMs or on heal.",
  needs: NET_FAULT_NEEDS,
  create(params, ctx) {
    if (params.durationMs !== undefined && !(Number.isFinite(params.durationMs) && params.durationMs >= 0)) {
      throw new HarnessError('ERR_CONFIG', `net-cut-link: durationMs must be a non-negative number of milliseconds (got ${params.durationMs})`, {
        context: { params },
        hint: 'Omit durationMs to cut until heal().',
      });
    }
    return new NetCutLink(params, ctx.topology.link(params.peer));
  },
});
