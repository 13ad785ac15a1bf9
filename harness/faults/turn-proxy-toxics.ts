import type { ProxyStats, ProxyToxics } from '../fault-proxy/control-protocol.js';
import type { FaultProxy } from '../fault-proxy/proxy.js';
import { validateToxics } from '../fault-proxy/validate-toxics.js';
import type { Fault } from './fault.js';
import { proxyEvidence } from './proxy-evidence.js';
import { registerFault } from './registry.js';

/**
 * Toxics on the fault proxy in front of coturn: loss, delay, jitter, reorder, a rate cap,
 * blackholes, resets and blocks on a relay-only path, with no root (see harness/fault-proxy/).
 *
 * inject() lays its toxics over whatever the proxy already has; heal() puts back, for the keys it
 * set, the values they had before. So faults on one proxy stack, and heal newest-first (as
 * ChaosController does) restores the link exactly; two faults that set the same key and heal out
 * of order leave the older one's value off.
 */

export interface TurnProxyFaultContext {
  /** The proxy the peers' TURN traffic goes through (their iceServers point at proxy.port). */
  proxy: FaultProxy;
}

/** A fault that applies `toxics` to `proxy`; the shared body of every turn-proxy-* fault. */
export function proxyToxicsFault<P extends object>(name: string, params: P, toxics: ProxyToxics, proxy: FaultProxy): Fault<P> {
  // Checked now, so a bad experiment fails when it is built, not halfway through a transfer.
  const own = validateToxics(toxics);
  // resetTcp is one-shot: nothing to put back.
  const keys = (Object.keys(own) as (keyof ProxyToxics)[]).filter((k) => k !== 'resetTcp');
  let before: ProxyToxics | undefined;
  let statsAtInject: ProxyStats | undefined;
  let statsAtHeal: ProxyStats | undefined;
  return {
    name,
    params,
    async inject() {
      // A second inject() would record our own toxics as "before" and heal() could never remove them.
      if (before !== undefined) return;
      before = proxy.toxics;
      statsAtInject = proxy.stats();
      statsAtHeal = undefined;
      proxy.setToxics({ ...before, ...own });
    },
    evidence() {
      return statsAtInject && statsAtHeal ? proxyEvidence(own, statsAtInject, statsAtHeal) : undefined;
    },
    async heal() {
      if (before === undefined) return;
      statsAtHeal = proxy.stats();
      const restored: Record<string, unknown> = { ...proxy.toxics };
      for (const key of keys) {
        if (Object.hasOwn(before, key)) restored[key] = before[key];
        else delete restored[key];
      }
      before = undefined;
      proxy.setToxics(restored as ProxyToxics);
    },
  };
}

export const turnProxyToxics = registerFault<ProxyToxics, TurnProxyFaultContext>({
  name: 'turn-proxy-toxics',
  summary: 'degrades the path to TURN through the userspace fault proxy: loss, delay, jitter, reorder, rate cap, blackhole, TCP resets, UDP/TCP blocks',
  needs: {},
  create: (params, ctx) => proxyToxicsFault('turn-proxy-toxics', params, params, ctx.proxy),
});
