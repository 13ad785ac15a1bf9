import { describe, expect, it } from 'vitest';
import { ALL_PAIRS, pairLabel, parseBenchPairs } from '../../bench/bench-pairs.js';
import { readBenchParams } from '../../bench/bench-params.js';
import { comparePairs, type PathFigures } from '../../bench/bench-report.js';
import { summarize } from '../../bench/stats.js';
import { HarnessError } from '../../harness/errors.js';

describe('BENCH_PAIRS', () => {
  it('defaults to all four pairs, chromium→chromium (the ratio baseline) first', () => {
    expect(parseBenchPairs(undefined).map(pairLabel)).toEqual(['chromium→chromium', 'chromium→firefox', 'firefox→chromium', 'firefox→firefox']);
    expect(parseBenchPairs('  ').map(pairLabel)).toEqual(ALL_PAIRS.map(pairLabel));
    expect(readBenchParams({}).pairs).toHaveLength(4);
  });

  it('takes → or ->, spaces and case, keeps the order given and drops duplicates', () => {
    expect(parseBenchPairs('firefox->firefox, Chromium → Firefox,firefox→firefox').map(pairLabel)).toEqual(['firefox→firefox', 'chromium→firefox']);
    expect(readBenchParams({ BENCH_PAIRS: 'chromium->chromium' }).pairs).toEqual([{ sender: 'chromium', receiver: 'chromium' }]);
  });

  it.each(['webkit→chromium', 'chromium', 'chromium→firefox→chromium', 'chromium-firefox', ','])('refuses %j with ERR_CONFIG and a hint', (raw) => {
    let err: unknown;
    try {
      parseBenchPairs(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('ERR_CONFIG');
    expect((err as HarnessError).message).toContain('BENCH_PAIRS');
  });
});

describe('comparePairs', () => {
  const fig = (pair: string, path: 'direct' | 'relay', app: number[], raw: number[]): PathFigures => ({
    pair,
    path,
    appMiBps: summarize(app),
    rawMiBps: summarize(raw),
    appPathSeen: [],
    rawPathSeen: [],
    hashVerifiedRuns: [],
  });

  it('divides each pair’s app median by chromium→chromium’s on the same path, and leaves out what did not run', () => {
    const figures = [
      fig('chromium→chromium', 'direct', [2, 4, 3], [5]),
      fig('chromium→chromium', 'relay', [], []),
      fig('firefox→firefox', 'direct', [6], [8]),
      fig('firefox→firefox', 'relay', [1.5], [3]),
    ];
    const [base, ff] = comparePairs(['chromium→chromium', 'firefox→firefox'], 'chromium→chromium', figures);
    expect(base).toEqual({ pair: 'chromium→chromium', appMiBps: { direct: 3 }, rawMiBps: { direct: 5 }, appRatioToBaseline: { direct: 1 } });
    expect(ff!.appMiBps).toEqual({ direct: 6, relay: 1.5 });
    // No relay baseline (its runs failed): no relay ratio, rather than a made-up one.
    expect(ff!.appRatioToBaseline).toEqual({ direct: 2 });
  });
});
