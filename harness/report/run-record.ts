import type { RecoveryFigures } from '../verdict/recovery.js';
import type { FaultRecord } from '../faults/chaos-controller.js';

/** How one test execution ended, in the scorecard's words. */
export type RunStatus = 'passed' | 'failed' | 'skipped' | 'interrupted';

/** What the integrity contract said: the referee's BLAKE3 matched, did not, or was not asked. */
export type IntegrityVerdict = 'verified' | 'mismatch' | 'not checked';

/**
 * One test execution, reduced to what the scorecard needs. Built from a Playwright result
 * (collect-playwright.ts) or a vitest JSON report (collect-vitest.ts); stored in scorecard.json.
 */
export interface RunRecord {
  scenarioId: string | undefined;
  title: string;
  /** Repo-relative spec file and line, for the reproduction command. */
  file: string;
  line: number;
  runner: 'playwright' | 'vitest';
  /** Playwright project (e.g. `chromium`), or `node` for vitest. */
  project: string;
  /** Engines of the two peers, e.g. `chromium→chromium`; `node` for server-side scenarios. */
  browser: string;
  status: RunStatus;
  skipReason: string | undefined;
  /** First lines of the error, when it failed. */
  error: string | undefined;
  durationMs: number;
  recovery: RecoveryFigures | undefined;
  /** Verified bytes per second at the receiver between the first inject and the last heal. */
  throughputDuringFaultBps: number | undefined;
  integrity: IntegrityVerdict;
  faults: FaultRecord[];
  /** Free-form notes the test attached (annotations other than skip/recovery/integrity). */
  notes: string[];
  /** Inline SVG of the progress timeline, when the test recorded one. */
  timelineSvg: string | undefined;
}
