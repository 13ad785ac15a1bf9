import { CATALOGUE, type CatalogueRow } from './catalogue.js';
import type { RowVerdict, Scorecard } from './scorecard.js';

export interface AuditRow {
  id: string;
  level: number;
  fault: string;
  /** Registered fault names this row uses, each with whether it is registered here. */
  faults: { name: string; registered: boolean }[];
  /** `yes`, `no`, or `in the test` when the row's fault is the test's own input (hostile frames, a wrong file). */
  faultImplemented: 'yes' | 'no' | 'in the test';
  tests: string[];
  lastVerdict: RowVerdict | undefined;
}

/**
 * What is protected and tested, without running anything: every catalogue row with its faults
 * (registered or not), the test files that cover it, and the verdict of the last scorecard.
 */
export function auditRows(registered: ReadonlySet<string>, coverage: ReadonlyMap<string, string[]>, last: Scorecard | undefined): AuditRow[] {
  return CATALOGUE.map((c: CatalogueRow) => {
    const faults = c.faults.map((name) => ({ name, registered: registered.has(name) }));
    return {
      id: c.id,
      level: c.level,
      fault: c.fault,
      faults,
      faultImplemented: faults.length === 0 ? 'in the test' : faults.some((f) => f.registered) ? 'yes' : 'no',
      tests: coverage.get(c.id) ?? [],
      lastVerdict: last?.rows.find((r) => r.id === c.id)?.verdict,
    };
  });
}

export function renderAudit(rows: AuditRow[], last: Scorecard | undefined): string {
  const out: string[] = [];
  out.push(`Resilience audit: ${rows.length} catalogue rows · last scorecard: ${last ? last.generatedAt : 'none yet (run npm run chaos)'}`, '');
  out.push('| ID | level | fault implemented | registered faults | tests | last verdict |', '|---|---|---|---|---|---|');
  for (const r of rows) {
    const faults = r.faults.map((f) => `${f.name}${f.registered ? '' : ' (missing)'}`).join(', ') || '–';
    out.push(`| ${r.id} | ${r.level} | ${r.faultImplemented} | ${faults} | ${r.tests.join(', ') || '**none**'} | ${r.lastVerdict ?? '–'} |`);
  }
  const untested = rows.filter((r) => r.tests.length === 0).map((r) => r.id);
  const unprotected = rows.filter((r) => r.faultImplemented === 'no').map((r) => r.id);
  out.push('', `no test: ${untested.join(', ') || 'none'}`, `fault not implemented: ${unprotected.join(', ') || 'none'}`);
  return out.join('\n');
}
