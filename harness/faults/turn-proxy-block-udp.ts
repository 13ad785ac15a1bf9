import { proxyToxicsFault, type TurnProxyFaultContext } from './turn-proxy-toxics.js';
import { registerFault } from './registry.js';

/**
 * TURN-2: TURN over UDP blocked at the fault proxy, so peers must fall back to TURN over TCP.
 * UDP sessions are kept while blocked, so healing lets an allocation made before resume.
 */

/** No parameters: the block is total while injected. */
export type TurnProxyBlockUdpParams = Record<string, never>;

export const turnProxyBlockUdp = registerFault<TurnProxyBlockUdpParams, TurnProxyFaultContext>({
  name: 'turn-proxy-block-udp',
  summary: 'drops all TURN-over-UDP traffic at the fault proxy (TURN over TCP still passes)',
  needs: {},
  create: (params, ctx) => proxyToxicsFault('turn-proxy-block-udp', params, { blockUdp: true }, ctx.proxy),
});
