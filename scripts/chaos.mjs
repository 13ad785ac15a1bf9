#!/usr/bin/env node
// `npm run chaos`: the chaos suite against the bundled app — the server-side scenarios (vitest
// suites named by scenario ID), then the Playwright scenarios — and a one-screen summary of the
// resilience scorecard with where the reports are. Exits non-zero when anything failed.
//
//   npm run chaos                          everything
//   npm run chaos -- tests/e2e/net-1*      some Playwright specs (any `playwright test` argument)
//   npm run chaos -- --experiment FILE     one experiment written as data (experiments/*.json)
//   npm run chaos -- --monkey --seed N [--duration 90s] [--shrink]
//                                          MON-1: faults drawn from a seed, written as an experiment
//                                          (reports/monkey/), run; --shrink: on a failure, the smallest schedule that still fails
//   npm run chaos -- --audit               the catalogue against what exists; runs nothing
//   npm run chaos -- --no-unit             skip the server-side (vitest) scenarios
//   npm run chaos -- --faults-off          every fault recorded, none injected: each fault scenario
//                                          must now FAIL (proven); exit 1 if any still passes (unproven)
//   npm run chaos -- --noise=cpu           a busy-loop child burning one core for the whole run
//   npm run chaos -- --repeat-each=N       Playwright's flag: each scenario N times, scored "k of N"
//                                          (mixed results are `flaky`, which readiness refuses)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = process.env) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
const args = process.argv.slice(2);
const take = (flag) => {
  const i = args.indexOf(flag);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
};

if (take('--audit')) {
  if (!fs.existsSync(path.join(root, 'node_modules', '.bin', 'tsx')) && run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
  process.exit(run(process.execPath, ['--import', 'tsx', 'harness/report/audit-cli.ts']));
}

if (take('--monkey')) {
  if (run(process.execPath, ['scripts/ensure-env.mjs']) !== 0) process.exit(1);
  if (run(process.execPath, ['scripts/build-app.mjs']) !== 0) process.exit(1);
  process.exit(run(process.execPath, ['--import', 'tsx', 'harness/monkey/monkey-cli.ts', ...args]));
}

let env = process.env;
const expAt = args.indexOf('--experiment');
if (expAt >= 0) {
  const file = args[expAt + 1];
  if (!file || !fs.existsSync(file)) {
    console.error(`chaos: --experiment needs a file that exists (got ${file ?? 'nothing'}); see experiments/README.md`);
    process.exit(1);
  }
  args.splice(expAt, 2, 'tests/e2e/experiments.spec.ts');
  env = { ...process.env, HARNESS_EXPERIMENT: path.resolve(file) };
}
const noUnit = take('--no-unit');
const faultsOff = take('--faults-off');
if (faultsOff) env = { ...env, HARNESS_FAULTS_OFF: '1' };
const noiseAt = args.findIndex((a) => a.startsWith('--noise'));
let noise;
if (noiseAt >= 0) {
  noise = args[noiseAt].split('=')[1];
  args.splice(noiseAt, 1);
  if (noise !== 'cpu') {
    console.error(`chaos: E_NOISE_KIND: --noise=${noise ?? ''} is not a kind of noise this runner makes; hint: --noise=cpu`);
    process.exit(1);
  }
  env = { ...env, HARNESS_NOISE: noise };
}
// A retry that passes would hide a flake: pass rates need every attempt to count once.
if (args.some((a) => a.startsWith('--retries') && a !== '--retries=0')) {
  console.error('chaos: E_RETRIES: retries must stay 0 (a pass on retry is a flake, scored `flaky`); hint: use --repeat-each=N to measure pass rates');
  process.exit(1);
}
const onlySome = args.some((a) => !a.startsWith('-'));

if (run(process.execPath, ['scripts/ensure-env.mjs']) !== 0) process.exit(1);
if (run(process.execPath, ['scripts/build-app.mjs']) !== 0) process.exit(1);

let unitCode = 0;
if (!noUnit && !onlySome) {
  // Server-side scenarios: real sockets, no browser. Their JSON report joins the scorecard.
  const suites = fs.readdirSync(path.join(root, 'tests', 'unit')).filter((n) => /^(net|sig|turn|brw|data|res|time|sec|cas)-\d+.*\.test\.ts$/.test(n)).map((n) => `tests/unit/${n}`);
  console.log(`\nchaos: server-side scenarios (${suites.length} vitest suites)`);
  unitCode = run('npx', ['vitest', 'run', ...suites]);
}
// The noise child lives for the Playwright run only; killed by its PID in finally and on signals.
let noiseChild;
const stopNoise = () => {
  if (noiseChild?.pid !== undefined && noiseChild.exitCode === null) {
    try {
      process.kill(noiseChild.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { stopNoise(); process.exit(130); });
let code;
try {
  if (noise === 'cpu') {
    noiseChild = spawn(process.execPath, [path.join(root, 'scripts', 'cpu-noise.mjs')], { stdio: 'ignore' });
    console.log(`\nchaos: noise ON — cpu busy loop, pid ${noiseChild.pid} (one core) for the whole Playwright run`);
  }
  if (faultsOff) console.log('\nchaos: faults OFF — every fault recorded, none injected; each fault scenario is expected to FAIL');
  console.log('\nchaos: browser scenarios (Playwright)');
  // spawnSync would block the event loop, so the signal handlers above could not run: use async.
  code = await new Promise((resolve) => {
    const child = spawn('npx', ['playwright', 'test', ...args], { cwd: root, stdio: 'inherit', env });
    child.on('exit', (c) => resolve(c ?? 1));
  });
} finally {
  stopNoise();
  if (noiseChild) console.log(`chaos: noise stopped (pid ${noiseChild.pid} killed)`);
}

const cardPath = path.join(root, 'reports', 'resilience', 'scorecard.json');
if (fs.existsSync(cardPath)) {
  const card = JSON.parse(fs.readFileSync(cardPath, 'utf8'));
  const ms = (v) => (v === undefined || v === null ? '–' : `${(v / 1000).toFixed(2)} s`);
  console.log('\nResilience summary');
  console.log(`  ${card.readiness.productionReady ? 'PRODUCTION READY' : 'NOT PRODUCTION READY'}: ${card.readiness.reason}`);
  console.log('  tier   rows  passed  degraded  flaky  broke  skipped  not-run  uncovered  recover p50/p95');
  for (const t of card.tiers) {
    console.log(`  ${t.tier.padEnd(5)} ${String(t.scenarios).padStart(5)} ${String(t.passed).padStart(7)} ${String(t.degraded).padStart(9)} ${String(t.flaky ?? 0).padStart(6)} ${String(t.broke).padStart(6)} ${String(t.skipped).padStart(8)} ${String(t.notRun).padStart(8)} ${String(t.notCovered).padStart(10)}  ${ms(t.recoverP50Ms)} / ${ms(t.recoverP95Ms)}`);
  }
  const mark = { passed: 'PASS', degraded: 'SLOW', flaky: 'FLAKY', broke: 'FAIL', skipped: 'SKIP' };
  for (const r of card.rows.filter((x) => mark[x.verdict])) {
    const figs = r.timeToRecoverMs !== undefined && r.timeToRecoverMs !== null ? ` (recover ${ms(r.timeToRecoverMs)})` : '';
    const rate = r.attempts > 0 ? ` ${r.passes}/${r.attempts}` : '';
    console.log(`  ${mark[r.verdict].padEnd(5)} ${r.id.padEnd(7)}${rate.padEnd(6)} ${r.expected.slice(0, 72)}${figs}`);
    if (r.verdict !== 'passed') for (const w of r.why.slice(0, 3)) console.log(`          ${w.slice(0, 140)}`);
  }
  const rates = card.trend?.passRates ?? [];
  if (card.trend && (card.trend.newFailures.length > 0 || card.trend.slower.length > 0 || rates.length > 0)) {
    console.log(`  since ${card.trend.previousGeneratedAt}: new failures ${card.trend.newFailures.join(', ') || 'none'}; slower ${card.trend.slower.map((s) => s.id).join(', ') || 'none'}; pass rate ${rates.map((x) => `${x.id} ${x.before}→${x.now}`).join(', ') || 'unchanged'}`);
  }
}
let unproven = [];
if (faultsOff && fs.existsSync(cardPath)) {
  const card = JSON.parse(fs.readFileSync(cardPath, 'utf8'));
  const checked = card.rows.filter((r) => r.faultsOff);
  unproven = checked.filter((r) => r.faultsOff === 'unproven').map((r) => r.id);
  console.log('\nFaults off: a fault scenario must fail when its fault is not injected');
  for (const r of checked) console.log(`  ${r.faultsOff === 'proven' ? 'PROVEN  ' : 'UNPROVEN'} ${r.id.padEnd(7)} passed ${r.passes}/${r.attempts} with faults off`);
  console.log(`  ${checked.length - unproven.length} proven, ${unproven.length} unproven${unproven.length ? `: ${unproven.join(', ')}` : ''}`);
}
console.log(`\nscorecard:         ${path.join(root, 'reports', 'resilience', 'index.html')}`);
console.log(`Playwright report: ${path.join(root, 'reports', 'playwright', 'index.html')}`);
// Faults off inverts the expectation: failures are the point; only an unproven scenario fails the run.
if (faultsOff) process.exit(unproven.length > 0 ? 1 : 0);
process.exit(code !== 0 ? code : unitCode);
