import type { Peer } from '../browser/peer.js';
import type { FaultProxy } from '../fault-proxy/proxy.js';
import type { SignalingProcess } from '../servers/signaling-process.js';
import type { TurnEndpoint } from '../../turn/types.js';
import { browserOffline } from '../faults/browser-offline.js';
import { cpuQuota } from '../faults/cpu-quota.js';
import { cpuThrottle } from '../faults/cpu-throttle.js';
import { crashTab } from '../faults/crash-tab.js';
import type { FaultDefinition } from '../faults/fault.js';
import { killBrowser } from '../faults/kill-browser.js';
import { killTabProcesses } from '../faults/kill-tab-processes.js';
import { killSignaling } from '../faults/kill-signaling.js';
import { killTurn } from '../faults/kill-turn.js';
import { signalingChaos } from '../faults/signaling-chaos.js';
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
}

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
  [cpuThrottle.name, { def: cpuThrottle, browserSide: true, context: (_e, p) => page(p) }],
  [cpuQuota.name, { def: cpuQuota, browserSide: true, context: (_e, p) => ({ peer: p }) }],
  [killBrowser.name, { def: killBrowser, browserSide: true, context: (_e, p) => ({ peer: p }) }],
  [killTabProcesses.name, { def: killTabProcesses, browserSide: true, context: (_e, p) => ({ peer: p }) }],
  [browserOffline.name, { def: browserOffline, browserSide: true, context: (_e, p) => ({ context: p!.context }) }],
]);
