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
  const resets = atHeal.tcpConnectionsReset - before.tcpConnectionsReset;
  const refused = atHeal.tcpConnectionsRefused - before.tcpConnectionsRefused;
  const packetsIn = atHeal.udpPacketsIn - before.udpPacketsIn;
  const tcpBytes = atHeal.tcpBytes - before.tcpBytes;
  const held = atHeal.queuedBytes;
  const checks: Array<[string, boolean]> = [];
  if (toxics.blackhole) checks.push(['blackhole dropped or held traffic', dropped > 0 || held > 0]);
  if (toxics.blockUdp) checks.push(['blockUdp dropped datagrams', dropped > 0]);
  if (toxics.lossPercent !== undefined && toxics.lossPercent > 0) checks.push(['loss dropped datagrams', dropped > 0]);
  if (toxics.resetTcp || toxics.blockTcp) checks.push(['TCP connections were reset or refused', resets + refused > 0]);
  const shapes = Boolean(toxics.delayMs || toxics.jitterMs || toxics.reorderPercent || toxics.rateKbps);
  if (shapes) checks.push(['traffic crossed the shaped proxy', packetsIn + tcpBytes > 0]);
  const failed = checks.filter(([, ok]) => !ok).map(([what]) => what);
  return {
    acted: checks.length > 0 && failed.length === 0,
    facts: { udpPacketsDropped: dropped, udpPacketsIn: packetsIn, tcpBytes, tcpConnectionsReset: resets, tcpConnectionsRefused: refused, queuedBytesAtHeal: held },
    summary: `proxy ${JSON.stringify(toxics)}: ${dropped} datagrams dropped, ${packetsIn} in, ${tcpBytes} TCP bytes, ${resets} resets, ${refused} refused, ${held} B held at heal${failed.length > 0 ? ` — NOT seen: ${failed.join('; ')}` : ''}`,
  };
}
