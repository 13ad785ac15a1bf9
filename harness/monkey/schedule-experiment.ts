import fs from 'node:fs';
import path from 'node:path';
import type { Experiment, Step } from '../experiment/experiment.js';
import { USABLE_FAULTS } from '../experiment/fault-contexts.js';
import { EXPERIMENT_SCHEMA_PATH, validateExperiment } from '../experiment/validate-experiment.js';
import type { MonkeySchedule } from './schedule.js';

/** The step that caps the relay path for the whole run (the pace), healed by the rollback. */
export const PACE_STEP = 'pace';

/** The command that draws this schedule again, and the one that replays the file. */
export function monkeyCommand(s: Pick<MonkeySchedule, 'seed' | 'durationMs'>): string {
  return `npm run chaos -- --monkey --seed ${s.seed} --duration ${s.durationMs / 1000}s`;
}
export function replayCommand(file: string): string {
  return `npm run chaos -- --experiment ${path.relative(process.cwd(), file) || file}`;
}

/**
 * The schedule as an experiment file: relay-only through the fault proxy (so turn-proxy-* faults
 * act on every byte), the pace first, then each fault on an `afterMs` trigger with its duration,
 * so `--experiment` replays the same faults at the same times. Integrity and completion are the
 * hypothesis. `$schema` is relative to where the file is written.
 */
export function scheduleToExperiment(s: MonkeySchedule, file: string, title = `monkey seed ${s.seed}, ${s.durationMs / 1000} s, ${s.steps.length} faults`): Experiment {
  const method: Step[] = [{ name: PACE_STEP, fault: 'turn-proxy-toxics', params: { rateKbps: s.paceKbps }, trigger: { afterMs: 0 } }];
  for (const st of s.steps) {
    method.push({
      name: st.name,
      fault: st.fault,
      params: { ...st.params },
      ...(st.target ? { target: st.target } : {}),
      trigger: { afterMs: st.atMs },
      ...(st.durationMs !== undefined ? { durationMs: st.durationMs } : {}),
      ...(st.recovery ? { recovery: { ...st.recovery } } : {}),
    });
  }
  const skipped = s.skipped.map((k) => `${k.fault}${k.target ? ` on the ${k.target}` : ''} (${k.reason})`);
  return {
    $schema: path.relative(path.dirname(path.resolve(file)), EXPERIMENT_SCHEMA_PATH),
    title,
    scenarioId: 'MON-1',
    description: [
      `Drawn by \`${monkeyCommand(s)}\` from: ${s.drawnFrom.join(', ') || 'nothing'}.`,
      skipped.length > 0 ? `Left out on this machine: ${skipped.join('; ')}.` : 'Nothing was left out on this machine.',
      `The relay path is capped at ${s.paceKbps} kbps for the whole run so the ${s.fileSizeBytes}-byte transfer spans the schedule.`,
    ].join(' '),
    configuration: { fileSizeBytes: s.fileSizeBytes, iceTransportPolicy: 'relay', turnRoute: 'proxy', timeoutMs: 2 * s.durationMs + 30_000 },
    steadyStateHypothesis: { title: 'the file arrives whole whatever the monkey did', probes: [{ type: 'transfer-completes' }, { type: 'integrity' }] },
    method,
    rollbacks: [{ action: 'heal-all' }],
  };
}

/** JSON text of the experiment: fixed key order and layout, so one schedule is always the same bytes. */
export function experimentText(x: Experiment): string {
  return `${JSON.stringify(x, null, 2)}\n`;
}

/** Writes the schedule as an experiment file, after checking it against the schema and the faults (throws ERR_EXPERIMENT_INVALID). */
export function writeScheduleExperiment(s: MonkeySchedule, file: string, title?: string): Experiment {
  const x = scheduleToExperiment(s, file, title);
  const text = experimentText(x);
  validateExperiment(JSON.parse(text), file, USABLE_FAULTS);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return x;
}
