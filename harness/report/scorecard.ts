import { CATALOGUE, TIERS, type CatalogueRow, type Level, type Tier } from './catalogue.js';
import { faultsOffVerdictOf, type FaultsOffVerdict, type RunMode } from './faults-off.js';
import type { IntegrityVerdict, RunRecord } from './run-record.js';

/** `not run`: a test exists but this run did not include it; `not covered`: no test exists. */
/** `flaky`: some repeats passed and some failed (or Playwright itself called it flaky) — not survived. */
export type RowVerdict = 'passed' | 'degraded' | 'flaky' | 'broke' | 'skipped' | 'not run' | 'not covered';

/** A figure across the repeats of a row (`--repeat-each=N`): one number hides a slow tail. */
export interface Spread {
  p50: number;
  p95: number;
  min: number;
  max: number;
  n: number;
}

export interface ScenarioRow {
  id: string;
  tier: Tier;
  level: Level;
  fault: string;
  expected: string;
  recoverWithinMs: number | undefined;
  verdict: RowVerdict;
  /** Why it is degraded, broke or skipped, in a person's words. */
  why: string[];
  /** Worst figures over the row's runs: slowest detect/recover, most re-sent, lowest throughput. */
  timeToDetectMs: number | undefined;
  timeToRecoverMs: number | undefined;
  resentBytes: number | undefined;
  throughputDuringFaultBps: number | undefined;
  integrity: IntegrityVerdict;
  /** Runs that passed (`k`) of runs that were not skipped (`N`): the pass rate as "k of N". */
  passes: number;
  attempts: number;
  /** Distributions across the repeats; undefined when no run carried the figure. */
  detectSpread: Spread | undefined;
  recoverSpread: Spread | undefined;
  durationSpread: Spread | undefined;
  /** Only in a faults-off run: did the row fail without its fault (proven) or still pass (unproven)? */
  faultsOff: FaultsOffVerdict | undefined;
  browsers: string[];
  /** Test files that cover this row (found on disk, whether or not they ran). */
  testFiles: string[];
  runs: RunRecord[];
}

export interface TierSummary {
  tier: Tier;
  scenarios: number;
  passed: number;
  degraded: number;
  flaky: number;
  broke: number;
  skipped: number;
  notRun: number;
  notCovered: number;
  recoverP50Ms: number | undefined;
  recoverP95Ms: number | undefined;
}

export interface Trend {
  previousGeneratedAt: string;
  newFailures: string[];
  fixed: string[];
  slower: { id: string; beforeMs: number; nowMs: number }[];
  /** Rows whose pass rate changed, e.g. `3/3` before and `2/3` now (verdict flaky). */
  passRates: { id: string; before: string; now: string }[];
}

export interface Scorecard {
  schemaVersion: 1;
  generatedAt: string;
  /** Wall time of the Playwright run. */
  durationMs: number;
  rows: ScenarioRow[];
  tiers: TierSummary[];
  /** Tests that belong to no catalogue row (baselines such as the plain direct transfer). */
  otherRuns: RunRecord[];
  readiness: { productionReady: boolean; reason: string };
  gaps: string[];
  trend: Trend | undefined;
  /** When the server-side (vitest) scenarios in this scorecard ran, if they are included. */
  vitestRanAt: string | undefined;
  /** Faults off and background noise; absent in scorecards written before they existed. */
  mode: RunMode;
}

/** A recovery counts as slower when it grew by this share and by at least SLOWER_MIN_MS. */
const SLOWER_RATIO = 1.25;
const SLOWER_MIN_MS = 250;

const maxOf = (xs: (number | undefined)[]) => {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length > 0 ? Math.max(...d) : undefined;
};
const minOf = (xs: (number | undefined)[]) => {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length > 0 ? Math.min(...d) : undefined;
};

/** Nearest-rank percentile; undefined for no data. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function spreadOf(xs: (number | undefined)[]): Spread | undefined {
  const d = xs.filter((x): x is number => x !== undefined);
  if (d.length === 0) return undefined;
  return { p50: percentile(d, 50)!, p95: percentile(d, 95)!, min: Math.min(...d), max: Math.max(...d), n: d.length };
}

/** "k/N", or '–' when nothing ran. */
export const passRate = (r: Pick<ScenarioRow, 'passes' | 'attempts'>): string => (r.attempts === 0 ? '–' : `${r.passes}/${r.attempts}`);

function verdictOf(row: CatalogueRow, runs: RunRecord[], testFiles: string[]): { verdict: RowVerdict; why: string[] } {
  if (runs.length === 0 && testFiles.length > 0) return { verdict: 'not run', why: [`not part of this run (${testFiles.join(', ')})`] };
  if (runs.length === 0) return { verdict: 'not covered', why: ['no test for this row'] };
  const failed = runs.filter((r) => r.status === 'failed' || r.status === 'interrupted');
  // Repeats of one test (same title and project) that both passed and failed: the suite must
  // never flake, so this is its own verdict and readiness blocks on it. A test that failed on
  // every repeat still makes the row broke, whatever other engines did.
  const key = (r: RunRecord) => `${r.title}\u0000${r.project}`;
  const passedKeys = new Set(runs.filter((r) => r.status === 'passed').map(key));
  const alwaysFailed = failed.some((r) => !passedKeys.has(key(r)));
  if (failed.length > 0 && !alwaysFailed) return { verdict: 'flaky', why: failed.map((r) => `${r.title} [${r.browser}]: ${r.error?.split('\n')[0] ?? r.status}`) };
  if (failed.length > 0) return { verdict: 'broke', why: failed.map((r) => `${r.title} [${r.browser}]: ${r.error?.split('\n')[0] ?? r.status}`) };
  const passed = runs.filter((r) => r.status === 'passed');
  const skipped = runs.filter((r) => r.status === 'skipped');
  if (passed.length === 0) return { verdict: 'skipped', why: skipped.map((r) => `${r.browser}: ${r.skipReason ?? 'no reason given'}`) };
  const why: string[] = [];
  if (row.recoverWithinMs !== undefined) {
    for (const r of passed) {
      const t = r.recovery?.timeToRecoverMs;
      if (t !== undefined && t > row.recoverWithinMs) why.push(`${r.browser}: recovered in ${(t / 1000).toFixed(2)} s, target ${(row.recoverWithinMs / 1000).toFixed(1)} s`);
    }
  }
  for (const r of passed) for (const n of r.notes) if (n.startsWith('degraded:')) why.push(`${r.browser}: ${n.slice('degraded:'.length).trim()}`);
  return { verdict: why.length > 0 ? 'degraded' : 'passed', why };
}

function integrityOf(runs: RunRecord[]): IntegrityVerdict {
  if (runs.some((r) => r.integrity === 'mismatch')) return 'mismatch';
  if (runs.some((r) => r.integrity === 'verified')) return 'verified';
  return 'not checked';
}

export function scenarioRow(row: CatalogueRow, runs: RunRecord[], testFiles: string[] = [], faultsOff = false): ScenarioRow {
  const { verdict, why } = verdictOf(row, runs, testFiles);
  const ran = runs.filter((r) => r.status !== 'skipped');
  return {
    id: row.id,
    tier: row.tier,
    level: row.level,
    fault: row.fault,
    expected: row.expected,
    recoverWithinMs: row.recoverWithinMs,
    verdict,
    why,
    timeToDetectMs: maxOf(ran.map((r) => r.recovery?.timeToDetectMs)),
    timeToRecoverMs: maxOf(ran.map((r) => r.recovery?.timeToRecoverMs)),
    resentBytes: maxOf(ran.map((r) => r.recovery?.resentBytes)),
    throughputDuringFaultBps: minOf(ran.map((r) => r.throughputDuringFaultBps)),
    integrity: integrityOf(ran),
    passes: ran.filter((r) => r.status === 'passed').length,
    attempts: ran.length,
    detectSpread: spreadOf(ran.map((r) => r.recovery?.timeToDetectMs)),
    recoverSpread: spreadOf(ran.map((r) => r.recovery?.timeToRecoverMs)),
    durationSpread: spreadOf(ran.map((r) => r.durationMs)),
    faultsOff: faultsOff ? faultsOffVerdictOf(runs) : undefined,
    browsers: [...new Set(runs.map((r) => r.browser))],
    testFiles,
    runs,
  };
}

function tierSummary(tier: Tier, rows: ScenarioRow[]): TierSummary {
  const own = rows.filter((r) => r.tier === tier);
  const recoveries = own.flatMap((r) => r.runs.map((x) => x.recovery?.timeToRecoverMs)).filter((x): x is number => x !== undefined);
  const count = (v: RowVerdict) => own.filter((r) => r.verdict === v).length;
  return {
    tier,
    scenarios: own.length,
    passed: count('passed'),
    degraded: count('degraded'),
    flaky: count('flaky'),
    broke: count('broke'),
    skipped: count('skipped'),
    notRun: count('not run'),
    notCovered: count('not covered'),
    recoverP50Ms: percentile(recoveries, 50),
    recoverP95Ms: percentile(recoveries, 95),
  };
}

function readinessOf(rows: ScenarioRow[]): Scorecard['readiness'] {
  const blocking = rows.filter((r) => r.level <= 3 && r.verdict !== 'passed' && r.verdict !== 'degraded');
  if (blocking.length === 0) return { productionReady: true, reason: 'every level 1–3 scenario survived' };
  const groups = (['broke', 'flaky', 'skipped', 'not covered', 'not run'] as const)
    .map((v) => ({ v, ids: blocking.filter((r) => r.verdict === v).map((r) => r.id) }))
    .filter((g) => g.ids.length > 0)
    // A partial run leaves many rows "not run": count them rather than list them all.
    .map((g) => (g.v === 'not run' && g.ids.length > 5 ? `${g.ids.length} not run in this run` : `${g.v}: ${g.ids.join(', ')}`));
  return { productionReady: false, reason: `level 1–3 scenarios not survived — ${groups.join('; ')}` };
}

function gapsOf(rows: ScenarioRow[]): string[] {
  const gaps: string[] = [];
  for (const r of rows) {
    if (r.verdict === 'not covered') gaps.push(`${r.id}: no test covers this catalogue row`);
    else if (r.verdict === 'not run') gaps.push(`${r.id}: has a test, not run this time — ${r.why.join('; ')}`);
    else if (r.verdict === 'skipped') gaps.push(`${r.id}: skipped here — ${r.why.join('; ')}`);
    else {
      for (const run of r.runs.filter((x) => x.status === 'skipped')) gaps.push(`${r.id}: one variant skipped (${run.title} [${run.browser}]) — ${run.skipReason ?? ''}`);
    }
    const transfer = r.runs.some((x) => x.timelineSvg !== undefined || x.recovery !== undefined);
    if (transfer && r.verdict === 'passed' && r.integrity === 'not checked') gaps.push(`${r.id}: passed without the BLAKE3 integrity check of the received file`);
  }
  return gaps;
}

function trendOf(rows: ScenarioRow[], previous: Scorecard | undefined): Trend | undefined {
  if (!previous) return undefined;
  const before = new Map(previous.rows.map((r) => [r.id, r]));
  const trend: Trend = { previousGeneratedAt: previous.generatedAt, newFailures: [], fixed: [], slower: [], passRates: [] };
  for (const r of rows) {
    const p = before.get(r.id);
    if (!p) continue;
    const ok = (v: RowVerdict) => v === 'passed' || v === 'degraded';
    const bad = (v: RowVerdict) => v === 'broke' || v === 'flaky';
    if (bad(r.verdict) && !bad(p.verdict)) trend.newFailures.push(r.id);
    if (ok(r.verdict) && bad(p.verdict)) trend.fixed.push(r.id);
    // Scorecards written before pass rates existed, or rows not run then, have no rate to compare.
    const rateBefore = ((p.attempts as number | undefined) ?? 0) === 0 ? undefined : passRate(p);
    if (rateBefore !== undefined && r.attempts > 0 && rateBefore !== passRate(r)) trend.passRates.push({ id: r.id, before: rateBefore, now: passRate(r) });
    if (ok(r.verdict) && ok(p.verdict) && r.timeToRecoverMs !== undefined && p.timeToRecoverMs !== undefined && r.timeToRecoverMs > p.timeToRecoverMs * SLOWER_RATIO && r.timeToRecoverMs - p.timeToRecoverMs >= SLOWER_MIN_MS) {
      trend.slower.push({ id: r.id, beforeMs: p.timeToRecoverMs, nowMs: r.timeToRecoverMs });
    }
  }
  return trend;
}

/**
 * The scorecard: one row per catalogue ID (covered or not), tier summaries, the readiness
 * verdict (production ready only when every level 1–3 row survived), the gaps, and the trend
 * against the previous scorecard in the same folder.
 */
export function buildScorecard(input: {
  runs: RunRecord[];
  durationMs: number;
  previous: Scorecard | undefined;
  vitestRanAtMs: number | undefined;
  /** Scenario ID → test files on disk that cover it (coverage.ts). */
  coverage?: ReadonlyMap<string, string[]>;
  mode?: RunMode;
  now?: Date;
}): Scorecard {
  const mode = input.mode ?? { faultsOff: false, noise: undefined };
  const rows = CATALOGUE.map((c) => scenarioRow(c, input.runs.filter((r) => r.scenarioId === c.id), input.coverage?.get(c.id) ?? [], mode.faultsOff));
  const unproven = rows.filter((r) => r.faultsOff === 'unproven').map((r) => r.id);
  // With faults off the suite is being tested, not the app: a readiness verdict would be a lie.
  const readiness = mode.faultsOff
    ? { productionReady: false, reason: `faults-off run (a check of the suite, not of the app): ${rows.filter((r) => r.faultsOff === 'proven').length} proven, unproven: ${unproven.join(', ') || 'none'}` }
    : readinessOf(rows);
  return {
    schemaVersion: 1,
    generatedAt: (input.now ?? new Date()).toISOString(),
    durationMs: input.durationMs,
    rows,
    tiers: TIERS.map((t) => tierSummary(t, rows)),
    otherRuns: input.runs.filter((r) => !r.scenarioId || !CATALOGUE.some((c) => c.id === r.scenarioId)),
    readiness,
    gaps: gapsOf(rows),
    // Failing is the point of a faults-off run: comparing it with a normal run (either way) would
    // report every fault scenario as a new failure or a fix.
    trend: mode.faultsOff || (input.previous?.mode as RunMode | undefined)?.faultsOff ? undefined : trendOf(rows, input.previous),
    vitestRanAt: input.vitestRanAtMs === undefined ? undefined : new Date(input.vitestRanAtMs).toISOString(),
    mode,
  };
}

/** The command that runs just this one test again. */
export function reproduceCommand(run: RunRecord): string {
  const experiment = run.notes.find((n) => n.startsWith('experiment: '));
  if (experiment) return `npm run chaos -- --experiment ${experiment.slice('experiment: '.length)}`;
  if (run.runner === 'vitest') return `npx vitest run ${run.file} -t ${JSON.stringify(run.title.split(' › ').slice(-1)[0] ?? '')}`;
  return `npx playwright test ${run.file}:${run.line} --project=${JSON.stringify(run.project)}`;
}
