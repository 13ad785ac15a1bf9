import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, scenarioIdOf } from '../../harness/report/catalogue.js';
import { scenarioCoverage } from '../../harness/report/coverage.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shared = path.resolve(repo, '../shared/SCENARIOS.md');
const norm = (s: string) => s.replace(/`/g, '').replace(/\s+/g, ' ').trim().toLowerCase();

describe('the catalogue as data', () => {
  // The shared folder sits beside the repo in our workspace and CI, not in a user's clone.
  it.skipIf(!fs.existsSync(shared))('matches ../shared/SCENARIOS.md row for row (IDs, faults, expected outcomes)', () => {
    const rows = fs
      .readFileSync(shared, 'utf8')
      .split('\n')
      .map((l) => /^\|\s*([A-Z]+-\d+)\s*\|(.*)\|(.*)\|\s*$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ id: m[1]!, fault: norm(m[2]!), expected: norm(m[3]!) }));
    expect(rows.map((r) => r.id)).toEqual(CATALOGUE.map((c) => c.id));
    for (const r of rows) {
      const c = CATALOGUE.find((x) => x.id === r.id)!;
      expect(norm(c.fault), r.id).toBe(r.fault);
      expect(norm(c.expected), r.id).toBe(r.expected);
    }
  });

  it('reads scenario IDs from titles and file names, and nothing else', () => {
    expect(scenarioIdOf('NET-1: WebRTC path cut')).toBe('NET-1');
    expect(scenarioIdOf('turn-3-first-turn-unreachable.spec.ts')).toBe('TURN-3');
    expect(scenarioIdOf('a 64 MiB file crosses a direct path')).toBeUndefined();
    expect(scenarioIdOf('NETWORK-1 is not an ID')).toBeUndefined();
  });

  it('finds the tests on disk that cover a row (file names and titles)', () => {
    const coverage = scenarioCoverage(repo);
    expect(coverage.get('NET-1')).toContain('tests/e2e/net-1-path-cut.spec.ts');
    expect(coverage.get('SIG-4')).toContain('tests/unit/sig-4-hostile-input.test.ts');
    expect(coverage.get('TIME-1')).toContain('tests/e2e/time-1-clock-skew.spec.ts');
  });
});
