import type { UserRecovery } from '../experiment/experiment.js';
import { eligibleFaults, type EligibleFault, type MonkeyEnv } from './eligible-faults.js';
import { rangeValues, type NumRange, type Target } from './monkey-faults.js';
import { mulberry32, type Prng } from './prng.js';

/** One drawn fault: what, on whom, when (ms after the transfer started), for how long, how. */
export interface MonkeyStep {
  name: string;
  fault: string;
  target?: Target;
  atMs: number;
  durationMs?: number;
  params: Record<string, number | string>;
  recovery?: UserRecovery;
  /** Overlap groups, resolved for the target (monkey-faults.ts `groups`). */
  groups: string[];
}

export interface MonkeySchedule {
  seed: number;
  /** The transfer's planned length; faults fire and heal inside it. */
  durationMs: number;
  fileSizeBytes: number;
  /** The relay path is capped to this rate for the whole run, so the transfer lasts about `durationMs`. */
  paceKbps: number;
  steps: MonkeyStep[];
  /** Fault names the draw could pick from, and what was left out and why. */
  drawnFrom: string[];
  skipped: { fault: string; target?: Target; reason: string }[];
}

/** The relay path's rate for the whole run: 1 MB/s, well below what the app manages unhindered. */
export const PACE_KBPS = 8_000;
/** The clean transfer takes this share of the duration; the rest is slack for the faults' cost. */
const TRANSFER_SHARE = 0.75;
/** Faults start inside [5%, 65%] of the duration and are healed by 80%. */
const FIRST_AT = 0.05;
const LAST_AT = 0.65;
const LAST_HEAL = 0.8;
/** One fault per this much duration at most (never fewer than MIN_FAULTS). */
const MS_PER_FAULT = 10_000;
const MIN_FAULTS = 2;
/** A crash blocks its peer's other faults until the tab is reopened and the page is back. */
const CRASH_RECOVERY_ALLOWANCE_MS = 10_000;
/** Draws that collide with a fault already placed are drawn again, this many times. */
const ATTEMPTS_PER_FAULT = 20;
export const MIN_DURATION_MS = 10_000;

function drawFrom(rng: Prng, r: NumRange, max = r.max): number {
  const values = rangeValues({ ...r, max: Math.max(r.min, Math.min(r.max, max)) }) as number[];
  return rng.pick(values);
}

/** When a step keeps its groups busy: a crash until its tab is back, anything else until healed. */
export function busyWindow(s: Pick<MonkeyStep, 'atMs' | 'durationMs' | 'recovery'>): [number, number] {
  const len = s.durationMs ?? (s.recovery ? s.recovery.afterMs + CRASH_RECOVERY_ALLOWANCE_MS : CRASH_RECOVERY_ALLOWANCE_MS);
  return [s.atMs, s.atMs + len];
}

export function collides(a: MonkeyStep, b: Pick<MonkeyStep, 'atMs' | 'durationMs' | 'recovery' | 'groups'>): boolean {
  if (!a.groups.some((g) => b.groups.includes(g))) return false;
  const [a0, a1] = busyWindow(a);
  const [b0, b1] = busyWindow(b);
  return a0 < b1 && b0 < a1;
}

function drawStep(rng: Prng, pick: EligibleFault, durationMs: number): Omit<MonkeyStep, 'name'> {
  const f = pick.fault;
  const target = pick.targets.length > 0 ? rng.pick(pick.targets) : undefined;
  const atMs = drawFrom(rng, { min: Math.round(durationMs * FIRST_AT), max: Math.round(durationMs * LAST_AT), step: 250 });
  const lastHeal = Math.round(durationMs * LAST_HEAL);
  const params: Record<string, number | string> = {};
  for (const [key, r] of Object.entries(f.ranges)) params[key] = rng.pick(rangeValues(r));
  const step: Omit<MonkeyStep, 'name'> = { fault: f.fault, atMs, params, groups: f.groups.map((g) => g.replace('{target}', target ?? 'none')) };
  if (target) step.target = target;
  if (f.durationMs) step.durationMs = drawFrom(rng, f.durationMs, lastHeal - atMs);
  if (f.recovery) step.recovery = { action: f.recovery.action, afterMs: drawFrom(rng, f.recovery.afterMs) };
  return step;
}

/**
 * The schedule seed `seed` draws over a transfer of `durationMs` from the faults `env` allows:
 * a pure function of its arguments (the same seed on the same kind of machine gives the same
 * schedule, byte for byte once written). Faults sharing a group never overlap.
 */
export function drawSchedule(seed: number, durationMs: number, env: MonkeyEnv): MonkeySchedule {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new RangeError(`seed ${seed}: need an integer in 0..4294967295`);
  if (!Number.isInteger(durationMs) || durationMs < MIN_DURATION_MS) throw new RangeError(`duration ${durationMs} ms: need an integer ≥ ${MIN_DURATION_MS}`);
  const { eligible, skipped } = eligibleFaults(env);
  const rng = mulberry32(seed);
  const placed: Omit<MonkeyStep, 'name'>[] = [];
  const count = eligible.length === 0 ? 0 : rng.int(MIN_FAULTS, Math.max(MIN_FAULTS, Math.floor(durationMs / MS_PER_FAULT)));
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; attempt < ATTEMPTS_PER_FAULT; attempt++) {
      const step = drawStep(rng, rng.pick(eligible), durationMs);
      if (placed.some((p) => collides(p as MonkeyStep, step))) continue;
      placed.push(step);
      break;
    }
  }
  // Sorted by time, ties by fault then target, so names read in the order they fire.
  placed.sort((a, b) => a.atMs - b.atMs || a.fault.localeCompare(b.fault) || (a.target ?? '').localeCompare(b.target ?? ''));
  const steps = placed.map((s, i) => ({ name: `s${i + 1}-${s.fault}${s.target ? `-${s.target}` : ''}`, ...s }));
  const fileSizeBytes = Math.round(((PACE_KBPS * 1000) / 8) * (durationMs / 1000) * TRANSFER_SHARE);
  return { seed, durationMs, fileSizeBytes, paceKbps: PACE_KBPS, steps, drawnFrom: eligible.map((e) => e.fault.fault), skipped };
}
