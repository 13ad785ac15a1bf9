// `npm run chaos -- --monkey --seed <n> [--duration 90s] [--shrink] [playwright args]`: draws a
// fault schedule from the seed, writes it as an experiment file, runs it (tests/e2e/experiments.spec.ts),
// and on a failure with --shrink re-runs smaller schedules and writes the smallest that still fails.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import { THIS_MACHINE } from '../faults/needs.js';
import { monkeyCommand, replayCommand, writeScheduleExperiment } from './schedule-experiment.js';
import { drawSchedule, type MonkeySchedule } from './schedule.js';
import { shrinkSchedule } from './shrink.js';

const args = process.argv.slice(2);
function take(flag: string, withValue: boolean): string | undefined {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  const inline = args[i]!.includes('=') ? args[i]!.split('=')[1] : undefined;
  const value = withValue ? (inline ?? args[i + 1]) : '';
  args.splice(i, withValue && inline === undefined ? 2 : 1);
  return value;
}

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new HarnessError('ERR_CONFIG', `--duration ${text} is not a duration`, { hint: 'write it like 90s, 1.5m or 40000ms' });
  return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1_000));
}

const seedText = take('--seed', true);
const seed = seedText === undefined ? crypto.randomInt(0, 2 ** 31) : Number(seedText);
const durationMs = parseDuration(take('--duration', true) ?? '90s');
const shrink = take('--shrink', false) !== undefined;
const outDir = path.resolve(take('--out', true) ?? 'reports/monkey');
if (!args.some((a) => a.startsWith('--project'))) args.push('--project=chromium');

const env = { machine: THIS_MACHINE, engines: { sender: 'chromium', receiver: 'chromium' } as const, turnManaged: !process.env.TURN_URL };
const schedule = drawSchedule(seed, durationMs, env);
const base = path.join(outDir, `seed-${seed}-${durationMs / 1000}s`);

/** Runs one experiment file through Playwright; resolves to its exit code. */
function runFile(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['playwright', 'test', 'tests/e2e/experiments.spec.ts', ...args], { stdio: 'inherit', env: { ...process.env, HARNESS_EXPERIMENT: file } });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

function printSchedule(s: MonkeySchedule): void {
  for (const st of s.steps) {
    const len = st.durationMs !== undefined ? `for ${(st.durationMs / 1000).toFixed(2)} s` : `user ${st.recovery?.action ?? 'none'} after ${st.recovery?.afterMs ?? 0} ms`;
    console.log(`  ${(st.atMs / 1000).toFixed(2).padStart(7)} s  ${st.name.padEnd(32)} ${len.padEnd(28)} ${JSON.stringify(st.params)}`);
  }
}

const file = `${base}.json`;
writeScheduleExperiment(schedule, file);
console.log(`\nmonkey: seed ${seed}, ${durationMs / 1000} s, ${schedule.steps.length} faults from ${schedule.drawnFrom.join(', ')}`);
for (const k of schedule.skipped) console.log(`  left out: ${k.fault}${k.target ? ` on the ${k.target}` : ''} — ${k.reason}`);
printSchedule(schedule);
console.log(`  schedule: ${file}\n  replay:   ${replayCommand(file)}\n  redraw:   ${monkeyCommand(schedule)}\n`);

const code = await runFile(file);
console.log(`\nmonkey: seed ${seed} ${code === 0 ? 'PASSED' : 'FAILED'} — replay: ${replayCommand(file)}`);
if (code !== 0 && shrink) {
  let n = 0;
  const result = await shrinkSchedule(schedule, async (candidate) => {
    const f = `${base}.try-${++n}.json`;
    writeScheduleExperiment(candidate, f, `monkey seed ${seed} shrink try ${n}, ${candidate.steps.length} faults`);
    console.log(`\nmonkey: shrink try ${n}: ${candidate.steps.map((s) => `${s.name}${s.durationMs !== undefined ? `(${s.durationMs} ms)` : ''}`).join(', ') || 'no faults'}`);
    const failed = (await runFile(f)) !== 0;
    console.log(`monkey: shrink try ${n} ${failed ? 'still fails' : 'passes'}`);
    return failed;
  });
  const shrunk = `${base}.shrunk.json`;
  writeScheduleExperiment(result.smallest, shrunk, `monkey seed ${seed} shrunk, ${result.smallest.steps.length} faults`);
  console.log(`\nmonkey: shrunk ${schedule.steps.length} → ${result.smallest.steps.length} faults in ${result.tried.length} runs${result.budgetExhausted ? ' (run budget reached)' : ''}:`);
  printSchedule(result.smallest);
  console.log(`  shrunk schedule: ${shrunk}\n  replay:          ${replayCommand(shrunk)}`);
}
console.log(`\nmonkey: seed ${seed}; replay: ${replayCommand(file)}`);
process.exit(code);
