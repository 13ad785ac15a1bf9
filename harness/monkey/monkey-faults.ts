import type { UserRecovery } from '../experiment/experiment.js';
import { browserOffline } from '../faults/browser-offline.js';
import { cpuQuota } from '../faults/cpu-quota.js';
import { cpuThrottle } from '../faults/cpu-throttle.js';
import { crashTab } from '../faults/crash-tab.js';
import type { FaultDefinition } from '../faults/fault.js';
import { killSignaling } from '../faults/kill-signaling.js';
import { killTurn } from '../faults/kill-turn.js';
import { signalingChaos } from '../faults/signaling-chaos.js';
import { turnProxyBlockUdp } from '../faults/turn-proxy-block-udp.js';
import { turnProxyToxics } from '../faults/turn-proxy-toxics.js';

/** Numbers from `min` to `max` (both included) in steps of `step`: 0.05 steps keep probabilities readable. */
export interface NumRange {
  min: number;
  max: number;
  step: number;
}
export interface OneOf<V> {
  oneOf: readonly V[];
}

/** The range the monkey may draw one parameter from, typed by the parameter's own type. */
export type ParamRange<V> = [V] extends [number] ? NumRange : [V] extends [string] ? OneOf<V> : never;
/** Ranges for the parameters the monkey sets; a parameter without one keeps the fault's default. */
export type ParamRanges<P> = { [K in keyof P]?: ParamRange<NonNullable<P[K]>> };

export type Target = 'sender' | 'receiver';

/** One fault the monkey may draw, with everything it may vary — the single source of its ranges. */
export interface MonkeyFault {
  /** The name an experiment step uses (harness/experiment/fault-contexts.ts USABLE_FAULTS). */
  fault: string;
  /** Browser-side faults: the peers it may act on. Absent: a server- or network-side fault. */
  targets?: readonly Target[];
  ranges: Readonly<Record<string, NumRange | OneOf<string>>>;
  /** How long it stays before it is healed; absent for a crash, which the user's recovery ends. */
  durationMs?: NumRange;
  recovery?: { action: UserRecovery['action']; afterMs: NumRange };
  /**
   * Faults that share a group never overlap in time (`{target}` stands for the step's peer): one
   * signaling server holds one chaos config and cannot take chaos while it is down; a tab that has
   * crashed cannot be throttled or taken offline until it is reopened.
   */
  groups: readonly string[];
}

function monkeyFault<P extends object>(def: FaultDefinition<P, any>, spec: Omit<MonkeyFault, 'fault' | 'ranges'> & { fault?: string; ranges: ParamRanges<P> }): MonkeyFault {
  return { ...spec, fault: spec.fault ?? def.name, ranges: spec.ranges as MonkeyFault['ranges'] };
}

const BOTH: readonly Target[] = ['sender', 'receiver'];

/**
 * Every fault the monkey may draw, in a fixed order (the draw depends on it: append, never
 * reorder, or old seeds draw new schedules). All act on a relay path through the fault proxy and
 * all heal, or are ended by a user's recovery, so any mix of them must leave a transfer that
 * completes. Not here: faults that must be in place before the page loads (corrupt-wire,
 * mangle-frames, clock-skew), need their own topology (net-*), or end a browser (kill-browser).
 */
export const MONKEY_FAULTS: readonly MonkeyFault[] = [
  monkeyFault(killTurn, { ranges: {}, durationMs: { min: 1_000, max: 5_000, step: 250 }, groups: ['turn'] }),
  monkeyFault(killSignaling, { ranges: { signal: { oneOf: ['SIGKILL', 'SIGTERM'] } }, durationMs: { min: 1_000, max: 8_000, step: 250 }, groups: ['signaling'] }),
  monkeyFault(signalingChaos, {
    ranges: { dropRate: { min: 0, max: 0.3, step: 0.05 }, disconnectRate: { min: 0, max: 0.1, step: 0.05 }, minLatencyMs: { min: 0, max: 200, step: 50 }, maxLatencyMs: { min: 200, max: 800, step: 100 } },
    durationMs: { min: 2_000, max: 10_000, step: 500 },
    groups: ['signaling'],
  }),
  monkeyFault(turnProxyToxics, { ranges: { lossPercent: { min: 1, max: 10, step: 1 }, delayMs: { min: 0, max: 80, step: 10 } }, durationMs: { min: 2_000, max: 10_000, step: 500 }, groups: ['proxy-toxics'] }),
  monkeyFault(turnProxyBlockUdp, { ranges: {}, durationMs: { min: 1_000, max: 6_000, step: 250 }, groups: ['proxy-udp'] }),
  monkeyFault(browserOffline, { targets: BOTH, ranges: {}, durationMs: { min: 1_000, max: 6_000, step: 250 }, groups: ['page-{target}'] }),
  monkeyFault(cpuThrottle, { targets: BOTH, ranges: { rate: { min: 2, max: 6, step: 1 } }, durationMs: { min: 2_000, max: 8_000, step: 500 }, groups: ['page-{target}'] }),
  monkeyFault(cpuQuota, { targets: BOTH, ranges: { cpuPercent: { min: 30, max: 80, step: 10 } }, durationMs: { min: 2_000, max: 8_000, step: 500 }, groups: ['cpu-{target}'] }),
  monkeyFault(crashTab, { fault: 'tab-crash', targets: BOTH, ranges: {}, recovery: { action: 'reopen-tab', afterMs: { min: 500, max: 3_000, step: 250 } }, groups: ['crash', 'page-{target}'] }),
];

/** Values a range allows, in order (finite: ranges are stepped). */
export function rangeValues(r: NumRange | OneOf<string>): readonly (number | string)[] {
  if ('oneOf' in r) return r.oneOf;
  const n = Math.floor((r.max - r.min) / r.step + 1e-9);
  // toFixed: 0.1 + 0.2 must be written 0.3 in the experiment file, the same on every run.
  return Array.from({ length: n + 1 }, (_, k) => Number((r.min + k * r.step).toFixed(6)));
}

/** Whether `value` is one the range allows (the unit test checks every drawn value with it). */
export function inRange(r: NumRange | OneOf<string>, value: unknown): boolean {
  return rangeValues(r).includes(value as number | string);
}
