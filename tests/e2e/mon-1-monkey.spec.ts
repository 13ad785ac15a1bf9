import fs from 'node:fs';
import { expect, SIGNALING_CHAOS_KEY, test } from '../../harness/fixtures.js';
import { USABLE_FAULTS } from '../../harness/experiment/fault-contexts.js';
import { runExperiment } from '../../harness/experiment/run-experiment.js';
import { loadExperiment } from '../../harness/experiment/validate-experiment.js';
import { THIS_MACHINE } from '../../harness/faults/needs.js';
import { experimentText, monkeyCommand, scheduleToExperiment, writeScheduleExperiment } from '../../harness/monkey/schedule-experiment.js';
import { drawSchedule } from '../../harness/monkey/schedule.js';

// A fixed seed over a short transfer, so CI runs the monkey every time: the schedule is drawn
// from the faults this machine can inject, written as an experiment file, read back through the
// schema, and run as that file — the same path `--experiment` replays.
const SEED = 1;
const DURATION_MS = 30_000;
const SETUP_ALLOWANCE_MS = 60_000;

test.use({ iceTransportPolicy: 'relay', turnRoute: 'proxy' });

test(`MON-1: monkey seed ${SEED}, ${DURATION_MS / 1000} s — random faults from the registry, replayable, complete with integrity`, async ({ peers, app, chaos, workDir, makeFile, requireNeeds, turn, turnProxy, signaling, senderEngine, receiverEngine }, testInfo) => {
  const env = { machine: THIS_MACHINE, engines: { sender: senderEngine, receiver: receiverEngine }, turnManaged: turn.managed };
  const schedule = drawSchedule(SEED, DURATION_MS, env);
  test.skip(schedule.steps.length === 0, `no monkey fault can run here: ${schedule.skipped.map((k) => `${k.fault}: ${k.reason}`).join('; ')}`);

  const file = testInfo.outputPath(`monkey-seed-${SEED}.json`);
  const written = writeScheduleExperiment(schedule, file);
  // Drawn again, the seed gives the same bytes: what a replay of the file runs is what was drawn.
  expect(fs.readFileSync(file, 'utf8'), 'the seed draws the same schedule twice').toBe(experimentText(scheduleToExperiment(drawSchedule(SEED, DURATION_MS, env), file)));
  const x = loadExperiment(file, USABLE_FAULTS);
  expect(x).toEqual(written);
  await testInfo.attach('monkey-schedule.json', { path: file, contentType: 'application/json' });
  testInfo.annotations.push({ type: 'monkey', description: `seed ${SEED}: ${schedule.steps.map((s) => `${s.name} at ${s.atMs} ms${s.durationMs !== undefined ? ` for ${s.durationMs} ms` : ''}`).join(', ')} — ${monkeyCommand(schedule)}` });

  test.setTimeout(x.configuration.timeoutMs + SETUP_ALLOWANCE_MS);
  await runExperiment(x, { peers, app, chaos, workDir, makeFile, requireNeeds, env: { turn, turnProxy, signaling, chaosKey: SIGNALING_CHAOS_KEY }, engines: { sender: senderEngine, receiver: receiverEngine } });
  // Every drawn fault (and the pace) was really injected and healed, not only written down.
  expect(chaos.records.length, `faults injected: ${chaos.records.map((r) => r.name).join(', ')}`).toBe(schedule.steps.length + 1);
  expect(chaos.records.filter((r) => r.healedAtMs === undefined).map((r) => r.name), 'faults left unhealed').toEqual([]);
});
