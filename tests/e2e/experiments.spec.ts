import fs from 'node:fs';
import path from 'node:path';
import { SIGNALING_CHAOS_KEY, test } from '../../harness/fixtures.js';
import { USABLE_FAULTS } from '../../harness/experiment/fault-contexts.js';
import { runExperiment } from '../../harness/experiment/run-experiment.js';
import { loadExperiment } from '../../harness/experiment/validate-experiment.js';

// Experiments written as data: every experiments/*.json, or the one file that
// `npm run chaos -- --experiment FILE` names (HARNESS_EXPERIMENT). An invalid file fails the run
// before any browser starts, with each problem and the field it is at.
const dir = path.resolve(import.meta.dirname, '../../experiments');
const files = process.env.HARNESS_EXPERIMENT
  ? [process.env.HARNESS_EXPERIMENT]
  : fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json'))
      .map((n) => path.join(dir, n));

/** Extra time beyond the experiment's own budget, for starting browsers and the final hash. */
const SETUP_ALLOWANCE_MS = 60_000;

for (const file of files) {
  const x = loadExperiment(file, USABLE_FAULTS);
  const rel = path.relative(process.cwd(), file);
  test.describe(() => {
    test.use({ iceTransportPolicy: x.configuration.iceTransportPolicy, turnRoute: x.configuration.turnRoute });
    test(x.scenarioId ? `${x.scenarioId}: ${x.title}` : x.title, { annotation: { type: 'experiment', description: rel } }, async ({ peers, app, chaos, workDir, makeFile, requireNeeds, turn, turnProxy, signaling, senderEngine, receiverEngine }) => {
      test.setTimeout(x.configuration.timeoutMs + SETUP_ALLOWANCE_MS);
      await runExperiment(x, { peers, app, chaos, workDir, makeFile, requireNeeds, env: { turn, turnProxy, signaling, chaosKey: SIGNALING_CHAOS_KEY }, engines: { sender: senderEngine, receiver: receiverEngine } });
    });
  });
}
