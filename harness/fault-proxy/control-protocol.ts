/**
 * The fault proxy's control API on the wire: HTTP + JSON on loopback, shaped like Toxiproxy's.
 * Types only; the values are checked once, at the boundary, by validate-toxics.ts.
 *
 *   GET  /healthz   → HealthResponse
 *   GET  /toxics    → ProxyToxics          the active set
 *   POST /toxics    ProxyToxics → ProxyToxics   replaces the whole set (`{}` clears it)
 *   POST /reset     → ProxyToxics          clears every toxic (answers `{}`)
 *   GET  /stats     → ProxyStats
 *
 * Anything else answers ControlErrorResponse with a 4xx status (400 for a bad toxic).
 */

/**
 * What the proxy does to traffic. Every field is optional and absent means "off". Each toxic acts
 * on each direction separately, as a bad link would: a round trip through `delayMs: 100` grows by
 * 200 ms, and `lossPercent: 10` drops about 10% of requests and 10% of the answers.
 */
export interface ProxyToxics {
  /** Cut the cable: every UDP datagram is dropped both ways; TCP connections stay open but stall until healed. */
  blackhole?: boolean;
  /** UDP only: the chance, 0-100, that a datagram is dropped; drawn for every datagram in each direction. */
  lossPercent?: number;
  /** Extra one-way latency added in each direction, 0-60000. */
  delayMs?: number;
  /** Uniform ± spread around `delayMs`, 0-60000. UDP datagrams may overtake each other (as with netem); TCP bytes keep their order. */
  jitterMs?: number;
  /** UDP only: the chance, 0-100, that a datagram is held back and sent just after the next one. */
  reorderPercent?: number;
  /** Bandwidth cap per direction in kilobits per second (1 kbps = 1000 bit/s), > 0. UDP beyond the shaper's buffer is dropped; TCP is slowed. */
  rateKbps?: number;
  /** One-shot: every TCP connection open when this is applied is reset (RST). Never kept in the active set. */
  resetTcp?: boolean;
  /** Drop every UDP datagram both ways (TURN over UDP blocked); sessions survive and resume once unblocked. */
  blockUdp?: boolean;
  /** Reset every open TCP connection and each new one as it arrives (TURN over TCP blocked). */
  blockTcp?: boolean;
}

/** Why a UDP datagram did not get through. */
export type UdpDropReason = 'blocked' | 'loss' | 'rateLimit' | 'queueFull' | 'sessionLimit';

/** Counters since the proxy started (gauges say "now"). Datagrams and bytes count both directions. */
export interface ProxyStats {
  /** Gauge: client addresses with a live upstream socket. */
  udpSessions: number;
  /** Datagrams received from either side. */
  udpPacketsIn: number;
  /** Datagrams sent on to the other side. */
  udpPacketsOut: number;
  /** Sum of udpDrops. */
  udpPacketsDropped: number;
  udpDrops: Record<UdpDropReason, number>;
  /** Datagrams that went out after one that arrived later (reorderPercent). */
  udpPacketsReordered: number;
  /** Gauge: client TCP connections being piped upstream. */
  tcpConnectionsOpen: number;
  /** Client TCP connections accepted and piped upstream, ever. */
  tcpConnectionsTotal: number;
  /** New TCP connections reset on arrival by blockTcp. */
  tcpConnectionsRefused: number;
  /** Open TCP connections reset by resetTcp or blockTcp. */
  tcpConnectionsReset: number;
  /** TCP payload bytes forwarded, both directions. */
  tcpBytes: number;
  /** Gauge: bytes held in delay/rate queues right now, UDP and TCP. */
  queuedBytes: number;
  /** The cap on queuedBytes: UDP beyond it is dropped (queueFull), TCP readers are paused. */
  queuedBytesLimit: number;
}

export interface HealthResponse {
  ok: true;
  /** Where clients connect, UDP and TCP on the same port. */
  listen: { host: string; port: number };
  upstream: { host: string; port: number };
}

export interface ControlErrorResponse {
  error: {
    /** A HarnessErrorCode for bad toxics (ERR_CONFIG), else an HTTP-ish code like `not_found`. */
    code: string;
    message: string;
    hint?: string;
    /** The toxic a validation error is about. */
    field?: string;
  };
}
