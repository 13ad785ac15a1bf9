#!/usr/bin/env node
// `npm run chaos`: the e2e chaos suite against the bundled app, then a one-screen summary and
// where the report is. Exits with Playwright's exit code.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (run(process.execPath, ['scripts/ensure-env.mjs']) !== 0) process.exit(1);
if (run(process.execPath, ['scripts/build-app.mjs']) !== 0) process.exit(1);
const code = run('npx', ['playwright', 'test', ...process.argv.slice(2)]);

const resultsPath = path.join(root, 'reports', 'results.json');
if (fs.existsSync(resultsPath)) {
  const results = JSON.parse(fs.readFileSync(resultsPath, 'utf8'));
  const rows = [];
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests) {
        const r = t.results[t.results.length - 1];
        const skip = t.annotations.find((a) => a.type === 'skip');
        const notes = t.annotations.filter((a) => a.type !== 'skip').map((a) => `${a.type}: ${a.description}`);
        rows.push({ status: r?.status ?? 'not run', title: spec.title, notes: skip ? [`skipped: ${skip.description ?? ''}`, ...notes] : notes, secs: Math.round((r?.duration ?? 0) / 1000) });
      }
    }
    for (const s of suite.suites ?? []) walk(s);
  };
  for (const s of results.suites) walk(s);
  const mark = { passed: 'PASS', failed: 'FAIL', timedOut: 'FAIL', skipped: 'SKIP', interrupted: 'INT ' };
  console.log('\nResilience summary');
  for (const r of rows) {
    console.log(`  ${mark[r.status] ?? r.status}  ${r.title.slice(0, 100)} (${r.secs} s)`);
    for (const n of r.notes) console.log(`          ${n}`);
  }
  const count = (s) => rows.filter((r) => r.status === s).length;
  console.log(`\n  ${count('passed')} passed, ${count('failed') + count('timedOut')} failed, ${count('skipped')} skipped`);
}
console.log(`\nreport: ${path.join(root, 'reports', 'playwright', 'index.html')}`);
process.exit(code);
