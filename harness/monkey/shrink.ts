import type { MonkeySchedule, MonkeyStep } from './schedule.js';

/** Runs a schedule for real; resolves true when the run FAILED (the failure reproduced). */
export type RunSchedule = (schedule: MonkeySchedule) => Promise<boolean>;

/** Durations are not halved below this: a fault shorter than the app's 2.5 s silence limit barely exists. */
export const MIN_SHRINK_DURATION_MS = 500;

export interface ShrinkResult {
  /** The smallest schedule found that still fails (the input itself when nothing smaller did). */
  smallest: MonkeySchedule;
  /** Every candidate run, in order, and whether it failed. */
  tried: { steps: string[]; failed: boolean }[];
  /** True when the run budget ran out before no smaller candidate was left. */
  budgetExhausted: boolean;
}

const describe = (s: MonkeySchedule) => s.steps.map((st) => `${st.name}${st.durationMs !== undefined ? `@${st.atMs}+${st.durationMs}ms` : `@${st.atMs}`}`);

/** Smaller candidates of `s`, most reducing first: each step dropped, then each duration halved. */
function candidates(s: MonkeySchedule): MonkeySchedule[] {
  const out: MonkeySchedule[] = s.steps.map((_, i) => ({ ...s, steps: s.steps.filter((__, j) => j !== i) }));
  s.steps.forEach((st, i) => {
    if (st.durationMs === undefined || st.durationMs < 2 * MIN_SHRINK_DURATION_MS) return;
    const halved: MonkeyStep = { ...st, durationMs: Math.floor(st.durationMs / 2) };
    out.push({ ...s, steps: s.steps.map((x, j) => (j === i ? halved : x)) });
  });
  return out;
}

/**
 * Shrinks a failing schedule (greedy, in the spirit of delta debugging): tries the candidates of
 * the smallest failing schedule so far — drop one fault, halve one fault's duration — re-running
 * each through `runSchedule`, moves to the first that still fails, and starts over from it; stops
 * when no candidate fails (a local minimum: every fault left, at its length, is needed) or after
 * `maxRuns` runs. Each accepted step makes the schedule strictly smaller, so it ends. Pure apart
 * from what `runSchedule` does: the caller decides what a run is.
 */
export async function shrinkSchedule(failing: MonkeySchedule, runSchedule: RunSchedule, maxRuns = 40): Promise<ShrinkResult> {
  let smallest = failing;
  const tried: ShrinkResult['tried'] = [];
  let progress = true;
  while (progress) {
    progress = false;
    for (const c of candidates(smallest)) {
      if (tried.length >= maxRuns) return { smallest, tried, budgetExhausted: true };
      const failed = await runSchedule(c);
      tried.push({ steps: describe(c), failed });
      if (failed) {
        smallest = c;
        progress = true;
        break;
      }
    }
  }
  return { smallest, tried, budgetExhausted: false };
}
