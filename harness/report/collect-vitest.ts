import fs from 'node:fs';
import path from 'node:path';
import { scenarioIdOf } from './catalogue.js';
import type { RunRecord } from './run-record.js';

/** The part of vitest's JSON report (`--reporter=json`) that we read. */
interface VitestJson {
  startTime: number;
  testResults: {
    name: string;
    assertionResults: { ancestorTitles: string[]; title: string; status: string; duration?: number | null; failureMessages: string[] }[];
  }[];
}

/**
 * Server-side scenarios (SIG-4, SIG-5, SEC-2…) are vitest suites named by scenario ID: they
 * need real sockets, not browsers. `npm test` and `npm run chaos` write their JSON report to
 * reports/vitest.json; each `it` becomes one record, so a failure names the exact case.
 */
export function runRecordsFromVitest(jsonPath: string, rootDir: string): { records: RunRecord[]; ranAtMs: number } | undefined {
  if (!fs.existsSync(jsonPath)) return undefined;
  let report: VitestJson;
  try {
    report = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as VitestJson;
  } catch {
    return undefined;
  }
  const records: RunRecord[] = [];
  for (const file of report.testResults ?? []) {
    const rel = path.relative(rootDir, file.name);
    for (const a of file.assertionResults) {
      const scenarioId = scenarioIdOf(a.ancestorTitles[0] ?? '') ?? scenarioIdOf(path.basename(file.name));
      if (!scenarioId) continue;
      const status = a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
      records.push({
        scenarioId,
        title: [...a.ancestorTitles, a.title].join(' › '),
        file: rel,
        line: 0,
        runner: 'vitest',
        project: 'node',
        browser: 'node',
        status,
        skipReason: status === 'skipped' ? 'skipped in vitest' : undefined,
        error: a.failureMessages[0]?.split('\n').slice(0, 4).join('\n'),
        durationMs: a.duration ?? 0,
        recovery: undefined,
        throughputDuringFaultBps: undefined,
        integrity: 'not checked',
        faults: [],
        notes: [],
        timelineSvg: undefined,
      });
    }
  }
  return { records, ranAtMs: report.startTime };
}
