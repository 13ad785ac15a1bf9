import type { ProxyStats, ProxyToxics } from '../fault-proxy/control-protocol.js';
import type { FaultEvidence } from './fault.js';

/**
 * What the fault proxy counted between a toxic's inject and its heal, and whether that shows the
 * toxic acted: drops for the toxics that drop (blackhole, blockUdp, loss), resets for the ones that
 * reset, refusals for blockTcp, and for the ones that only slow or reorder (delay, jitter, rate,
 * reorder) traffic that went through the proxy while they were on. A blackhole over TCP drops
 * nothing: it holds bytes, so bytes still queued at heal count for it.
 */
export function proxyEvidence(toxics: ProxyToxics, before: ProxyStats, atHeal: ProxyStats): FaultEvidence {
  const dropped = atHeal.udpPacketsDropped - before.udpPacketsDropped;
  // Per reason: a rate cap's queue drops must not pass for a blackhole's (both can be on at once).
  const blocked = atHeal.udpDrops.blocked - before.udpDrops.blocked;
  const lost = atHeal.udpDrops.loss - before.udpDrops.loss;
  const resets = atHeal.tcpConnectionsReset - before.tcpConnectionsReset;
  const refused = atHeal.tcpConnectionsRefused - before.tcpConnectionsRefused;
  const packetsIn = atHeal.udpPacketsIn - before.udpPacketsIn;
  const tcpBytes = atHeal.tcpBytes - before.tcpBytes;
  const held = atHeal.queuedBytes;
  const checks: Array<[string, boolean]> = [];
  // Over TCP a blackhole drops nothing: it holds bytes, and none go out while it is on. Datagrams
  // that came in and were not blocked mean it did not act, whatever TCP did.
  if (toxics.blackhole) checks.push(['blackhole dropped datagrams, or held bytes on an open TCP connection while none went out', blocked > 0 || (packetsIn === 0 && atHeal.tcpConnectionsOpen > 0 && held > 0 && tcpBytes === 0)]);
  if (toxics.blockUdp) checks.push(['blockUdp dropped datagrams', blocked > 0]);
  if (toxics.lossPercent !== undefined && toxics.lossPercent > 0) {
    // Loss is random: with few datagrams, none lost is likely even when it acted (5 % of 30: 21 %).
    // Zero losses count against it only once they would be rarer than 1 in 1000 (5 %: ≥ 135 datagrams).
    const tell = datagramsToTellLoss(toxics.lossPercent);
    checks.push([`loss dropped datagrams (${packetsIn} in; ${tell} needed to tell)`, lost > 0 || packetsIn < tell]);
  }
  if (toxics.resetTcp || toxics.blockTcp) checks.push(['TCP connections were reset or refused', resets + refused > 0]);
  // Delay, jitter, reorder and a rate cap change timing, not counts: the proof is traffic that crossed them.
  const shapes = Boolean(toxics.delayMs || toxics.jitterMs || toxics.reorderPercent || toxics.rateKbps);
  if (shapes) checks.push(['traffic crossed the shaped proxy', packetsIn + tcpBytes > 0]);
  const failed = checks.filter(([, ok]) => !ok).map(([what]) => what);
  return {
    acted: checks.length > 0 && failed.length === 0,
    facts: { udpPacketsDropped: dropped, udpPacketsBlocked: blocked, udpPacketsLost: lost, udpPacketsIn: packetsIn, tcpBytes, tcpConnectionsReset: resets, tcpConnectionsRefused: refused, queuedBytesAtHeal: held },
    summary: `proxy ${JSON.stringify(toxics)}: ${blocked} datagrams blocked, ${lost} lost, ${dropped} dropped in all, ${packetsIn} in, ${tcpBytes} TCP bytes out, ${resets} resets, ${refused} refused, ${held} B queued at heal${failed.length > 0 ? ` — NOT seen: ${failed.join('; ')}` : ''}`,
  };
}

/** The fewest datagrams for which "none lost" has probability under 1e-3 if the loss were on. */
export function datagramsToTellLoss(lossPercent: number): number {
  const p = Math.min(lossPercent, 100) / 100;
  return p >= 1 ? 1 : Math.ceil(Math.log(1e-3) / Math.log(1 - p));
}
