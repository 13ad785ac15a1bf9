import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../harness/report/catalogue.js';
import type { RunRecord } from '../../harness/report/run-record.js';
import { buildScorecard, percentile, reproduceCommand } from '../../harness/report/scorecard.js';
import { renderMarkdown } from '../../harness/report/render-markdown.js';
import { renderHtml } from '../../harness/report/render-html.js';

function run(over: Partial<RunRecord>): RunRecord {
  return {
    scenarioId: 'NET-1',
    title: 'NET-1: path cut',
    file: 'tests/e2e/net-1-path-cut.spec.ts',
    line: 15,
    runner: 'playwright',
    project: 'chromium',
    browser: 'chromium→chromium',
    status: 'passed',
    skipReason: undefined,
    error: undefined,
    durationMs: 20_000,
    recovery: { timeToDetectMs: 2_800, timeToRecoverMs: 1_100, verifiedAtInjectBytes: 1, resentBytes: 4 * 1024 * 1024 },
    throughputDuringFaultBps: 500_000,
    integrity: 'verified',
    faults: [],
    notes: [],
    timelineSvg: undefined,
    ...over,
  };
}

const allPassing = (): RunRecord[] => CATALOGUE.filter((c) => c.level <= 3).map((c) => run({ scenarioId: c.id, title: `${c.id}: x`, recovery: undefined }));

describe('scorecard', () => {
  it('has one row per catalogue ID, covered or not, and calls uncovered rows gaps', () => {
    const card = buildScorecard({ runs: [run({})], durationMs: 1, previous: undefined, vitestRanAtMs: undefined });
    expect(card.rows.map((r) => r.id)).toEqual(CATALOGUE.map((c) => c.id));
    expect(card.rows.find((r) => r.id === 'NET-1')!.verdict).toBe('passed');
    expect(card.rows.find((r) => r.id === 'CAS-1')!.verdict).toBe('not covered');
    expect(card.gaps).toContain('CAS-1: no test covers this catalogue row');
  });

  it('tells "not run" (a test exists) from "not covered"', () => {
    const card = buildScorecard({ runs: [], durationMs: 1, previous: undefined, vitestRanAtMs: undefined, coverage: new Map([['SIG-4', ['tests/unit/sig-4.test.ts']]]) });
    expect(card.rows.find((r) => r.id === 'SIG-4')!.verdict).toBe('not run');
    expect(card.rows.find((r) => r.id === 'SIG-5')!.verdict).toBe('not covered');
  });

  it('is production ready only when every level 1–3 row survived; level 4 does not block', () => {
    expect(buildScorecard({ runs: allPassing(), durationMs: 1, previous: undefined, vitestRanAtMs: undefined }).readiness.productionReady).toBe(true);
    const oneSkipped = allPassing().map((r) => (r.scenarioId === 'SEC-4' ? { ...r, status: 'skipped' as const, skipReason: 'no root' } : r));
    const card = buildScorecard({ runs: oneSkipped, durationMs: 1, previous: undefined, vitestRanAtMs: undefined });
    expect(card.readiness.productionReady).toBe(false);
    expect(card.readiness.reason).toContain('skipped: SEC-4');
    expect(card.gaps.some((g) => g.startsWith('SEC-4: skipped here — chromium→chromium: no root'))).toBe(true);
  });

  it('marks a row broke when any run failed, with the command to reproduce that run', () => {
    const failed = run({ status: 'failed', error: 'Error: resumed within 5000 ms\nExpected: <= 5000', project: 'firefox→firefox', browser: 'firefox→firefox' });
    const card = buildScorecard({ runs: [run({}), failed], durationMs: 1, previous: undefined, vitestRanAtMs: undefined });
    const row = card.rows.find((r) => r.id === 'NET-1')!;
    expect(row.verdict).toBe('broke');
    expect(row.why[0]).toContain('firefox→firefox');
    expect(reproduceCommand(failed)).toBe('npx playwright test tests/e2e/net-1-path-cut.spec.ts:15 --project="firefox→firefox"');
    expect(renderMarkdown(card)).toContain('reproduce: `npx playwright test tests/e2e/net-1-path-cut.spec.ts:15');
  });

  it('marks a passed row degraded when it recovered slower than the catalogue target', () => {
    const slow = run({ recovery: { timeToDetectMs: 1, timeToRecoverMs: 6_500, verifiedAtInjectBytes: 0, resentBytes: 0 } });
    const row = buildScorecard({ runs: [slow], durationMs: 1, previous: undefined, vitestRanAtMs: undefined }).rows.find((r) => r.id === 'NET-1')!;
    expect(row.verdict).toBe('degraded');
    expect(row.why[0]).toContain('recovered in 6.50 s, target 5.0 s');
  });

  it('summarises tiers with recovery percentiles', () => {
    const runs = [10_000, 1_000, 2_000, 3_000].map((ms, i) => run({ scenarioId: `NET-${i + 1}`, recovery: { timeToDetectMs: 0, timeToRecoverMs: ms, verifiedAtInjectBytes: 0, resentBytes: 0 } }));
    const net = buildScorecard({ runs, durationMs: 1, previous: undefined, vitestRanAtMs: undefined }).tiers.find((t) => t.tier === 'NET')!;
    expect(net).toMatchObject({ scenarios: 6, passed: 3, degraded: 1, notCovered: 2, recoverP50Ms: 2_000, recoverP95Ms: 10_000 });
    expect(percentile([], 50)).toBeUndefined();
  });

  it('compares with the previous scorecard: new failures, fixes, slower recoveries', () => {
    const before = buildScorecard({ runs: [run({}), run({ scenarioId: 'SIG-1', status: 'failed' })], durationMs: 1, previous: undefined, vitestRanAtMs: undefined, now: new Date(0) });
    const now = buildScorecard({
      runs: [run({ status: 'failed' }), run({ scenarioId: 'SIG-1', recovery: { timeToDetectMs: 0, timeToRecoverMs: 3_000, verifiedAtInjectBytes: 0, resentBytes: 0 } })],
      durationMs: 1,
      previous: before,
      vitestRanAtMs: undefined,
    });
    expect(now.trend).toEqual({ previousGeneratedAt: new Date(0).toISOString(), newFailures: ['NET-1'], fixed: ['SIG-1'], slower: [], passRates: [{ id: 'NET-1', before: '1/1', now: '0/1' }, { id: 'SIG-1', before: '0/1', now: '1/1' }] });
    const slower = buildScorecard({ runs: [run({ recovery: { timeToDetectMs: 0, timeToRecoverMs: 1_800, verifiedAtInjectBytes: 0, resentBytes: 0 } })], durationMs: 1, previous: before, vitestRanAtMs: undefined });
    expect(slower.trend!.slower).toEqual([{ id: 'NET-1', beforeMs: 1_100, nowMs: 1_800 }]);
  });

  it('calls mixed repeats of one test flaky (k of N), blocks readiness on it, and spreads the figures', () => {
    const rec = (ms: number) => ({ timeToDetectMs: ms / 2, timeToRecoverMs: ms, verifiedAtInjectBytes: 0, resentBytes: 0 });
    const runs = [...allPassing().filter((r) => r.scenarioId !== 'NET-1'), run({ recovery: rec(1_000) }), run({ recovery: rec(3_000) }), run({ status: 'failed', error: 'Error: x', recovery: undefined })];
    const card = buildScorecard({ runs, durationMs: 1, previous: undefined, vitestRanAtMs: undefined });
    const row = card.rows.find((r) => r.id === 'NET-1')!;
    expect(row.verdict).toBe('flaky');
    expect([row.passes, row.attempts]).toEqual([2, 3]);
    expect(row.recoverSpread).toEqual({ p50: 1_000, p95: 3_000, min: 1_000, max: 3_000, n: 2 });
    expect(row.durationSpread).toMatchObject({ min: 20_000, max: 20_000, n: 3 });
    expect(card.readiness.productionReady).toBe(false);
    expect(card.readiness.reason).toContain('flaky: NET-1');
    expect(card.tiers.find((t) => t.tier === 'NET')!.flaky).toBe(1);
    expect(renderMarkdown(card)).toContain('| flaky | 2/3 | 500 ms/1.50 s (500 ms–1.50 s) | 1.00 s/3.00 s (1.00 s–3.00 s) |');
    expect(renderHtml(card)).toContain('2/3');
  });

  it('flags a passed transfer scenario that never checked the file’s BLAKE3', () => {
    const card = buildScorecard({ runs: [run({ integrity: 'not checked' })], durationMs: 1, previous: undefined, vitestRanAtMs: undefined });
    expect(card.gaps).toContain('NET-1: passed without the BLAKE3 integrity check of the received file');
  });

  it('renders HTML that escapes test text and embeds the timeline SVG as is', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>';
    const html = renderHtml(buildScorecard({ runs: [run({ title: 'NET-1: <script>alert(1)</script>', timelineSvg: svg })], durationMs: 1, previous: undefined, vitestRanAtMs: undefined }));
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).toContain(svg);
  });
});

describe('faults-off scorecard', () => {
  it('calls a fault scenario that still passes without its fault unproven, one that fails proven, and skips baselines', () => {
    const fault = [{ name: 'cut-path', params: {} }] as unknown as RunRecord['faults'];
    const runs = [
      run({ status: 'failed', error: 'Error: no fault', faults: fault }),
      run({ scenarioId: 'SIG-1', title: 'SIG-1: x', faults: [], notes: ['faults-off: kill-signaling was NOT injected (HARNESS_FAULTS_OFF=1)'] }),
      run({ scenarioId: 'TURN-4', title: 'TURN-4: x', faults: [] }),
    ];
    const card = buildScorecard({ runs, durationMs: 1, previous: undefined, vitestRanAtMs: undefined, mode: { faultsOff: true, noise: 'cpu' } });
    const by = (id: string) => card.rows.find((r) => r.id === id)!;
    expect(by('NET-1').faultsOff).toBe('proven');
    expect(by('SIG-1').faultsOff).toBe('unproven');
    expect(by('TURN-4').faultsOff).toBeUndefined();
    expect(card.readiness).toEqual({ productionReady: false, reason: 'faults-off run (a check of the suite, not of the app): 1 proven, unproven: SIG-1' });
    expect(card.mode).toEqual({ faultsOff: true, noise: 'cpu' });
    const md = renderMarkdown(card);
    expect(md).toContain('- **SIG-1** unproven (passed 1/1 with faults off)');
    expect(md).toContain('Background noise during the run: **cpu**');
    expect(renderHtml(card)).toContain('unproven');
  });
});

describe('per engine pair', () => {
  it('gives each project a column: passed, flaky, broke or skipped', () => {
    const runs = [
      run({}), run({ project: 'firefox', status: 'failed' }), run({ project: 'firefox', status: 'failed' }),
      run({ project: 'webkit', status: 'skipped' }), run({ project: 'mixed' }), run({ project: 'mixed', status: 'failed' }),
    ];
    const card = buildScorecard({ runs, durationMs: 1, previous: undefined, vitestRanAtMs: undefined });
    expect(renderMarkdown(card)).toContain('| NET-1 | passed | broke | skipped | flaky |');
    expect(renderHtml(card)).toContain('<th>webkit</th>');
  });
});

describe('trend around a faults-off run', () => {
  it('is left out on either side of a faults-off run, and ignores rows the previous run did not run', () => {
    const off = buildScorecard({ runs: [run({ status: 'failed' })], durationMs: 1, previous: undefined, vitestRanAtMs: undefined, mode: { faultsOff: true, noise: undefined } });
    expect(buildScorecard({ runs: [run({})], durationMs: 1, previous: off, vitestRanAtMs: undefined }).trend).toBeUndefined();
    const normal = buildScorecard({ runs: [run({})], durationMs: 1, previous: undefined, vitestRanAtMs: undefined });
    expect(buildScorecard({ runs: [run({})], durationMs: 1, previous: normal, vitestRanAtMs: undefined, mode: { faultsOff: true, noise: undefined } }).trend).toBeUndefined();
    const sig = buildScorecard({ runs: [run({ scenarioId: 'SIG-1', title: 'SIG-1: x' })], durationMs: 1, previous: normal, vitestRanAtMs: undefined });
    expect(sig.trend!.passRates).toEqual([]);
  });
});
