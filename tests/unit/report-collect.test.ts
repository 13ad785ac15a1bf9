import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestCase, TestResult } from '@playwright/test/reporter';
import { runRecordFromPlaywright } from '../../harness/report/collect-playwright.js';

// The reporter API's objects, reduced to the fields the collector reads.
function fakeTest(title: string, annotations: { type: string; description?: string }[] = [], file = '/repo/tests/e2e/net-1-path-cut.spec.ts'): TestCase {
  return {
    title,
    annotations,
    location: { file, line: 15, column: 1 },
    parent: { project: () => ({ name: 'chromium', use: {} }) },
  } as unknown as TestCase;
}
function fakeResult(over: Partial<TestResult>): TestResult {
  return { status: 'passed', duration: 1234, attachments: [], annotations: [], errors: [], ...over } as unknown as TestResult;
}
const json = (name: string, value: unknown) => ({ name, contentType: 'application/json', body: Buffer.from(JSON.stringify(value)) });

describe('collecting a Playwright result', () => {
  it('reads the scenario ID, recovery figures, faults, timeline and the integrity annotation', () => {
    const start = 1_000_000;
    const rec = runRecordFromPlaywright(
      fakeTest('NET-1: cut', [{ type: 'integrity', description: 'BLAKE3 … matches' }, { type: 'note', description: 'x' }]),
      fakeResult({
        attachments: [
          json('recovery.json', { timeToDetectMs: 2_000, timeToRecoverMs: 900, verifiedAtInjectBytes: 5, resentBytes: 7 }),
          json('faults.json', [{ name: 'turn-proxy-toxics', params: {}, injectedAtMs: start + 1_000, healedAtMs: start + 3_000 }]),
          json('timeline.json', { startedAtMs: start, samples: [{ peer: 'receiver', t: 1_000, verifiedBytes: 100, totalBytes: 1000, phase: 'r' }, { peer: 'receiver', t: 3_000, verifiedBytes: 300, totalBytes: 1000, phase: 'r' }] }),
          { name: 'timeline.svg', contentType: 'image/svg+xml', body: Buffer.from('<svg/>') },
        ],
      }),
      '/repo',
    );
    expect(rec).toMatchObject({ scenarioId: 'NET-1', file: path.join('tests', 'e2e', 'net-1-path-cut.spec.ts'), line: 15, status: 'passed', integrity: 'verified', browser: 'chromium→chromium', timelineSvg: '<svg/>', notes: ['note: x'] });
    expect(rec.recovery?.timeToRecoverMs).toBe(900);
    expect(rec.throughputDuringFaultBps).toBe(100);
  });

  it('keeps the skip reason, and calls a failed BLAKE3 or size comparison a mismatch', () => {
    const skipped = runRecordFromPlaywright(fakeTest('NET-5: x', [{ type: 'skip', description: 'needs root' }]), fakeResult({ status: 'skipped' }), '/repo');
    expect(skipped).toMatchObject({ status: 'skipped', skipReason: 'needs root', integrity: 'not checked' });
    const failed = runRecordFromPlaywright(fakeTest('NET-1: x'), fakeResult({ status: 'failed', error: { message: '\u001b[31mError: received file BLAKE3 equals the source\u001b[39m\nExpected: "ab"' } }), '/repo');
    expect(failed).toMatchObject({ status: 'failed', integrity: 'mismatch', error: 'Error: received file BLAKE3 equals the source\nExpected: "ab"' });
    const short = runRecordFromPlaywright(fakeTest('NET-1: x'), fakeResult({ status: 'failed', error: { message: 'Error: received file size equals the source: received 10 bytes, source 12 bytes (truncated: 2 bytes short)' } }), '/repo');
    expect(short.integrity, 'a truncated file is an integrity mismatch too').toBe('mismatch');
    const timedOut = runRecordFromPlaywright(fakeTest('a baseline', [], '/repo/tests/e2e/transfer-direct.spec.ts'), fakeResult({ status: 'timedOut' }), '/repo');
    expect(timedOut).toMatchObject({ status: 'failed', scenarioId: undefined });
  });
});
