import type { Page } from '@playwright/test';

/**
 * An init script that keeps a reference to every RTCPeerConnection a page creates, whatever app
 * it is, so the harness can read getStats() without the app's help.
 */
export function rtcCaptureScript(): void {
  const w = window as unknown as { __harnessPCs?: RTCPeerConnection[]; RTCPeerConnection: typeof RTCPeerConnection };
  if (w.__harnessPCs) return;
  const pcs: RTCPeerConnection[] = [];
  w.__harnessPCs = pcs;
  const Original = w.RTCPeerConnection;
  const Wrapped = function (this: unknown, config?: RTCConfiguration) {
    const pc = new Original(config);
    pcs.push(pc);
    return pc;
  } as unknown as typeof RTCPeerConnection;
  Wrapped.prototype = Original.prototype;
  Object.defineProperty(Wrapped, 'generateCertificate', { value: Original.generateCertificate.bind(Original) });
  w.RTCPeerConnection = Wrapped;
}

export interface SelectedPair {
  localType: string;
  remoteType: string;
  localAddress: string;
  remoteAddress: string;
  protocol: string;
  /** For relay candidates: how the browser reaches the TURN server (udp, tcp, tls). */
  relayProtocol: string | undefined;
  /** For relay candidates: the TURN server URL the allocation came from. */
  url: string | undefined;
  bytesSent: number;
  bytesReceived: number;
}

/** The selected candidate pairs of every connected RTCPeerConnection of the page. */
export async function selectedCandidatePairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __harnessPCs?: RTCPeerConnection[] }).__harnessPCs ?? [];
    const out: SelectedPair[] = [];
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((r: Record<string, unknown>) => byId.set(r.id as string, r));
      for (const r of byId.values()) {
        if (r.type !== 'transport' || !r.selectedCandidatePairId) continue;
        const pair = byId.get(r.selectedCandidatePairId as string);
        const local = pair && byId.get(pair.localCandidateId as string);
        const remote = pair && byId.get(pair.remoteCandidateId as string);
        if (!pair || !local || !remote) continue;
        out.push({
          localType: String(local.candidateType),
          remoteType: String(remote.candidateType),
          localAddress: `${String(local.address ?? local.ip)}:${String(local.port)}`,
          remoteAddress: `${String(remote.address ?? remote.ip)}:${String(remote.port)}`,
          protocol: String(local.protocol),
          relayProtocol: local.relayProtocol === undefined ? undefined : String(local.relayProtocol),
          url: local.url === undefined ? undefined : String(local.url),
          bytesSent: Number(pair.bytesSent ?? 0),
          bytesReceived: Number(pair.bytesReceived ?? 0),
        });
      }
    }
    return out;
  });
}
