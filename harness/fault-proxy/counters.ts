import type { ProxyStats, UdpDropReason } from './control-protocol.js';

/** The proxy's running counters, mutated in place by the relays; stats() adds the gauges. */
export type ProxyCounters = Omit<ProxyStats, 'udpSessions' | 'udpPacketsDropped' | 'tcpConnectionsOpen' | 'queuedBytes' | 'queuedBytesLimit'>;

export function newCounters(): ProxyCounters {
  const udpDrops: Record<UdpDropReason, number> = { blocked: 0, loss: 0, rateLimit: 0, queueFull: 0, sessionLimit: 0 };
  return {
    udpPacketsIn: 0,
    udpPacketsOut: 0,
    udpDrops,
    udpPacketsReordered: 0,
    tcpConnectionsTotal: 0,
    tcpConnectionsRefused: 0,
    tcpConnectionsReset: 0,
    tcpBytes: 0,
  };
}
