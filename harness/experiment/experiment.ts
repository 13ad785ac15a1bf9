/**
 * An experiment written as data, in the shape of Chaos Toolkit's: a steady-state hypothesis
 * (probes with tolerances), a method (faults by registered name, each on its own trigger, so
 * they may overlap), and rollbacks that always run. The JSON Schema users validate against is
 * experiments/experiment.schema.json; these types mirror it (tests/unit/experiment-schema.test.ts).
 */
export interface Experiment {
  $schema?: string;
  title: string;
  /** The catalogue row this experiment covers (the scorecard files it there), e.g. `CAS-1`. */
  scenarioId?: string;
  description?: string;
  configuration: ExperimentConfiguration;
  steadyStateHypothesis: { title: string; probes: Probe[] };
  method: Step[];
  rollbacks?: Rollback[];
}

export interface ExperimentConfiguration {
  fileSizeBytes: number;
  /** `relay` forces every byte through coturn (and through the fault proxy when `turnRoute` is `proxy`). */
  iceTransportPolicy: 'all' | 'relay';
  turnRoute: 'direct' | 'proxy' | 'dead-first';
  /** How long the transfer may take in all, faults included. */
  timeoutMs: number;
}

/** When a step acts: at a progress point, a time after the transfer started, or after another step. */
export type Trigger = { atProgressPercent: number } | { afterMs: number } | { afterStep: string; delayMs?: number };

/** What a person would do after a fault such as a crash: open the tab again, or start the browser again. */
export type UserRecovery = { action: 'reopen-tab' | 'relaunch-browser'; afterMs: number };

export interface Step {
  name: string;
  /** A registered fault name (harness/faults/registry.ts), e.g. `kill-turn`. */
  fault: string;
  params: Record<string, unknown>;
  /** The peer a browser-side fault acts on; ignored by server- and network-side faults. */
  target?: 'sender' | 'receiver';
  trigger: Trigger;
  /** Heal after this long; without it the fault stays until the rollbacks. */
  durationMs?: number;
  recovery?: UserRecovery;
}

export type Probe =
  | { type: 'transfer-completes' }
  | { type: 'integrity' }
  /** The receiver that took over after a crash started from its checkpoint, not from zero. */
  | { type: 'resumed-from-checkpoint' }
  | { type: 'recovery-under'; maxMs: number }
  | { type: 'resent-bytes-under'; maxBytes: number }
  /** The step's CPU-starvation fault (cpu-quota) really held the peer back: its processes were in the group and the kernel throttled it. */
  | { type: 'cpu-throttled'; step: string; minThrottledPeriods: number };

export type Rollback = { action: 'heal-all' } | { action: 'heal'; step: string };
