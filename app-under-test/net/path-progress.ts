/**
 * Whether the ICE path has delivered anything since we last asked, from the transport's own
 * byte counter (getStats `transport.bytesReceived`: DTLS records, so SCTP data, SACKs and
 * retransmissions, not just whole DataChannel messages; the candidate pair's on Firefox).
 *
 * Why: on a slow, lossy link a 128 KiB message can take seconds to complete, and the other
 * side's heartbeat waits behind megabytes of queued chunks in the same SCTP association, so
 * "no message for 2.5 s" also happens on a path that is alive and busy. Bytes arriving at the
 * transport tell the two apart: on a cut path none arrive at all.
 */
export class PathProgress {
  private lastBytes: number | undefined;
  private sampling = false;
  /** Bumped by reset(), so a sample taken before it cannot become the new baseline. */
  private epoch = 0;

  constructor(private readonly pc: RTCPeerConnection | undefined) {}

  /** Forgets the baseline: the next sample starts a new silence (bytes counted before it do not count). */
  reset(): void {
    this.lastBytes = undefined;
    this.epoch += 1;
  }

  /**
   * Resolves true when the transport received bytes since the previous call that resolved a
   * number; false on the first call (it only sets the baseline), while a sample is in flight, or
   * when no counter is available.
   */
  async deliveredSinceLastSample(): Promise<boolean> {
    if (!this.pc || this.sampling) return false;
    this.sampling = true;
    const epoch = this.epoch;
    try {
      const bytes = await transportBytesReceived(this.pc);
      if (bytes === undefined || epoch !== this.epoch) return false;
      const grew = this.lastBytes !== undefined && bytes > this.lastBytes;
      this.lastBytes = bytes;
      return grew;
    } catch {
      return false; // a closing connection: liveness falls back to messages alone
    } finally {
      this.sampling = false;
    }
  }
}

interface StatsRow {
  type?: string;
  bytesReceived?: unknown;
  nominated?: unknown;
  selected?: unknown;
}

/**
 * The transport's received-byte counter; where the browser has none, the candidate pair's in use.
 * Firefox (ESR 153) reports a `transport` row without `bytesReceived` but counts bytes on its
 * candidate pairs: without this fallback a Firefox receiver on a slow lossy link took every
 * long message for a dead path and rebuilt the connection every ~4 s (NET-3, never finishing).
 */
async function transportBytesReceived(pc: RTCPeerConnection): Promise<number | undefined> {
  const stats = await pc.getStats();
  let transport: number | undefined;
  let pairsInUse: number | undefined;
  let allPairs: number | undefined;
  stats.forEach((r: StatsRow) => {
    if (typeof r.bytesReceived !== 'number') return;
    if (r.type === 'transport') transport = (transport ?? 0) + r.bytesReceived;
    if (r.type === 'candidate-pair') {
      allPairs = (allPairs ?? 0) + r.bytesReceived;
      if (r.selected === true || r.nominated === true) pairsInUse = (pairsInUse ?? 0) + r.bytesReceived;
    }
  });
  return transport ?? pairsInUse ?? allPairs;
}
