/**
 * `npm run bench:recovery`: runs recovery.bench.ts (both strategies, interleaved) and prints the
 * table. Knobs: RECOVERY_BENCH_RUNS (2), RECOVERY_BENCH_CUTS_MS (3000,8000),
 * RECOVERY_BENCH_FILE_MIB (16), RECOVERY_BENCH_MECHANISMS (proxy,netns; netns needs root).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRows, ROWS_PATH } from './recovery-row.js';
import { writeRecoveryReport } from './summarise.js';

const here = path.dirname(fileURLToPath(import.meta.url));
fs.rmSync(ROWS_PATH, { force: true });
const pw = spawnSync('npx', ['playwright', 'test', '-c', path.join(here, 'playwright.config.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
const rows = readRows();
if (rows.length === 0) {
  console.error('ERR_BENCH_NO_ROWS: no recovery was measured (see the Playwright output above for why).');
  process.exit(pw.status || 1);
}
const { table, path: reportPath } = writeRecoveryReport(rows);
console.info(`\nRecovery of a cut path, medians (min–max) over ${rows.length} runs; load ${rows.map((r) => r.loadAvg1m).join(', ')}\n`);
console.info(table);
console.info(`\n${reportPath}`);
process.exit(pw.status ?? 1);
