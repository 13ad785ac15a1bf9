import type { BrowserEngine } from '../browser/engine.js';
import type { Peer } from '../browser/peer.js';
import type { FaultProxy } from '../fault-proxy/proxy.js';
import type { SignalingProcess } from '../servers/signaling-process.js';
import type { TurnEndpoint } from '../../turn/types.js';
import { browserOffline } from '../faults/browser-offline.js';
import { cpuQuota } from '../faults/cpu-quota.js';
import { cpuThrottle } from '../faults/cpu-throttle.js';
import { crashTab } from '../faults/crash-tab.js';
import type { Fault, FaultDefinition, FaultNeeds } from '../faults/fault.js';
import { killBrowser } from '../faults/kill-browser.js';
import { killTabProcesses } from '../faults/kill-tab-processes.js';
import { killSignaling } from '../faults/kill-signaling.js';
import { killTurn } from '../faults/kill-turn.js';
import { signalingChaos } from '../faults/signaling-chaos.js';
import { tabCrashFor, tabCrashNeeds } from '../faults/tab-crash-for.js';
import { turnProxyBlockUdp } from '../faults/turn-proxy-block-udp.js';
import { turnProxyToxics } from '../faults/turn-proxy-toxics.js';

/** What the running harness offers a fault: the servers and, for browser-side faults, a peer. */
export interface ExperimentEnv {
  turn: TurnEndpoint;
  turnProxy: FaultProxy;
  signaling: SignalingProcess;
  chaosKey: string;
}

export interface UsableFault {
  def: FaultDefinition<any, any>;
  browserSide: boolean;
  context(env: ExperimentEnv, peer: Peer | undefined): unknown;
  /**
   * For a fault that acts differently on each engine (`tab-crash`): what it needs on a target of
   * `engine`, and the fault to make for that peer. Without it: `def.needs` and `def.create`.
   */
  perEngine?: { needs(engine: BrowserEngine): FaultNeeds; create(peer: Peer): Fault };
}

/** What a step's fault needs, given the engine of the peer it targets (undefined: a server-side fault). */
export function usableNeeds(usable: UsableFault, targetEngine: BrowserEngine | undefined): FaultNeeds {
  return usable.perEngine && targetEngine ? usable.perEngine.needs(targetEngine) : usable.def.needs;
}

/** The step's fault, made for its target peer. */
export function createUsable(usable: UsableFault, params: unknown, env: ExperimentEnv, peer: Peer | undefined): Fault {
  return usable.perEngine && peer ? usable.perEngine.create(peer) : usable.def.create(params, usable.context(env, peer));
}

/** A tab crash on the target's own engine (tab-crash-for.ts): CDP Page.crash on Chromium, content processes SIGKILLed on Firefox. */
const TAB_CRASH = 'tab-crash';

const page = (p: Peer | undefined) => ({ page: p!.page });

/**
 * The faults an experiment can name, with how to hand each its context. Faults that must be in
 * place before the page loads (init scripts: corrupt-wire, mangle-frames, clock-skew) or that
 * need a topology of their own (net-*) stay with their TypeScript scenarios for now.
 */
export const USABLE_FAULTS: ReadonlyMap<string, UsableFault> = new Map<string, UsableFault>([
  [killTurn.name, { def: killTurn, browserSide: false, context: (e) => ({ turn: e.turn }) }],
  [killSignaling.name, { def: killSignaling, browserSide: false, context: (e) => ({ signaling: e.signaling }) }],
  [turnProxyToxics.name, { def: turnProxyToxics, browserSide: false, context: (e) => ({ proxy: e.turnProxy }) }],
  [turnProxyBlockUdp.name, { def: turnProxyBlockUdp, browserSide: false, context: (e) => ({ proxy: e.turnProxy }) }],
  [signalingChaos.name, { def: signalingChaos, browserSide: false, context: (e) => ({ httpUrl: e.signaling.httpUrl, chaosKey: e.chaosKey }) }],
  [crashTab.name, { def: crashTab, browserSide: true, context: (_e, p) => page(p) }],
  [TAB_CRASH, { def: crashTab, browserSide: true, context: (_e, p) => page(p), perEngine: { needs: (engine) => tabCrashNeeds([engine]), create: (p) => tabCrashFor(p) } }],
  [cpuThrottle.name, { def: cpuThrottle, browserSide: true, context: (_e, p) => page(p) }],
  [cpuQuota.name, { def: cpuQuota, browserSide: true, context: (_e, p) => ({ peer: p }) }],
  [killBrowser.name, { def: killBrowser, browserSide: true, context: (_e, p) => ({ peer: p }) }],
  [killTabProcesses.name, { def: killTabProcesses, browserSide: true, context: (_e, p) => ({ peer: p }) }],
  [browserOffline.name, { def: browserOffline, browserSide: true, context: (_e, p) => ({ context: p!.context }) }],
]);
