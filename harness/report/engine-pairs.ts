import type { RunRecord } from './run-record.js';
import type { ScenarioRow } from './scorecard.js';

/** A row's result on one Playwright project (engine pair): one column of the per-pair table. */
export type PairCell = 'passed' | 'flaky' | 'broke' | 'skipped';

/** Project → cell for one row's runs; a project the row never ran on has no entry. */
export function pairCells(runs: RunRecord[]): Record<string, PairCell> {
  const out: Record<string, PairCell> = {};
  for (const project of [...new Set(runs.map((r) => r.project))]) {
    const own = runs.filter((r) => r.project === project && r.status !== 'skipped');
    const passed = own.filter((r) => r.status === 'passed').length;
    // Mixed repeats on one pair are a flake there, as for the row itself.
    out[project] = own.length === 0 ? 'skipped' : passed === own.length ? 'passed' : passed > 0 ? 'flaky' : 'broke';
  }
  return out;
}

/** Every project that ran anything, in first-seen order: the table's columns. */
export const pairColumns = (rows: ScenarioRow[]): string[] => [...new Set(rows.flatMap((r) => r.runs.map((x) => x.project)))];

/** The per-pair table as Markdown lines (empty when nothing ran). */
export function pairTableMarkdown(rows: ScenarioRow[]): string[] {
  const cols = pairColumns(rows);
  const ran = rows.filter((r) => r.runs.length > 0);
  if (cols.length === 0 || ran.length === 0) return [];
  return [
    '## Per engine pair', '',
    `| ID | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---|').join('')}`,
    ...ran.map((r) => { const c = pairCells(r.runs); return `| ${r.id} | ${cols.map((p) => c[p] ?? '–').join(' | ')} |`; }),
    '',
  ];
}
