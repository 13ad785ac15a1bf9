import type { RunRecord } from './run-record.js';

/**
 * `npm run chaos -- --faults-off` (HARNESS_FAULTS_OFF=1) records every fault but injects none, so
 * a fault scenario whose assertions are real must now FAIL: `proven`. One that still passes would
 * have passed without its fault too — its assertions prove nothing: `unproven`.
 */
export type FaultsOffVerdict = 'proven' | 'unproven';

/** A run is a fault scenario when its test asked for a fault (faults.json or the faults-off annotation). */
export const injectsFault = (r: RunRecord): boolean => r.faults.length > 0 || r.notes.some((n) => n.startsWith('faults-off:'));

/**
 * The row's verdict in a faults-off run, or undefined when no run of it asked for a fault
 * (baselines such as transfer-direct) or every such run was skipped. Any passing fault run
 * makes the row unproven: one test that survives without its fault is enough to doubt it.
 */
export function faultsOffVerdictOf(runs: RunRecord[]): FaultsOffVerdict | undefined {
  const faulty = runs.filter((r) => injectsFault(r) && r.status !== 'skipped');
  if (faulty.length === 0) return undefined;
  return faulty.some((r) => r.status === 'passed') ? 'unproven' : 'proven';
}

/** How the run was made, from the environment chaos.mjs sets; stored in scorecard.json. */
export interface RunMode {
  /** HARNESS_FAULTS_OFF=1: faults recorded, not injected; rows get proven/unproven. */
  faultsOff: boolean;
  /** HARNESS_NOISE (e.g. `cpu`): background load chaos.mjs ran for the whole run. */
  noise: string | undefined;
}

export const runModeFromEnv = (env: NodeJS.ProcessEnv = process.env): RunMode => ({ faultsOff: env.HARNESS_FAULTS_OFF === '1', noise: env.HARNESS_NOISE || undefined });
