import type { Diagnosis } from './doctor.js';

/** The doctor's table as plain text: machine facts, then the rows that will skip and why. */
export function renderDoctor(d: Diagnosis): string {
  const width = Math.max(...d.facts.map((f) => f.what.length));
  const lines = ['This machine', ...d.facts.map((f) => `  ${f.ok ? 'ok     ' : 'MISSING'}  ${f.what.padEnd(width)}  ${f.detail}`), ''];
  const pairs = [...new Set(d.rows.map((r) => r.pair))];
  for (const pair of pairs) {
    const rows = d.rows.filter((r) => r.pair === pair);
    const count = (s: string) => rows.filter((r) => r.status === s).length;
    lines.push(`${pair}: ${count('runs')} of ${rows.length} catalogue rows run whole, ${count('partly')} in part, ${count('skips')} skip`);
    for (const r of rows.filter((x) => x.status !== 'runs')) lines.push(`  ${r.id.padEnd(7)} ${r.status === 'skips' ? 'skips ' : 'partly'}  ${r.reasons.join('; ')}`);
  }
  const noFault = [...new Set(d.rows.filter((r) => r.noFault).map((r) => r.id))];
  lines.push('', `Rows that inject no registered fault (server-side suites, or no test yet — see \`npm run chaos -- --audit\`): ${noFault.join(', ')}`);
  return lines.join('\n');
}
