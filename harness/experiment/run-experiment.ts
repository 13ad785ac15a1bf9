import { expect, test } from '@playwright/test';
import type { TransferApp } from '../app-adapter.js';
import type { BrowserEngine } from '../browser/engine.js';
import type { Peer } from '../browser/peer.js';
import type { ChaosController } from '../faults/chaos-controller.js';
import { reportsCpuThrottling } from '../faults/cpu-quota.js';
import type { Fault, FaultNeeds } from '../faults/fault.js';
import type { PeerFactory } from '../fixtures.js';
import { expectIntact, startTransfer, waitForVerified, type TransferSession } from '../scenario/transfer-session.js';
import { attachRecovery, recoveryFigures } from '../verdict/recovery.js';
import type { TestFile } from '../verdict/random-file.js';
import type { Experiment, Probe, Step } from './experiment.js';
import { createUsable, USABLE_FAULTS, usableNeeds, type ExperimentEnv } from './fault-contexts.js';

export interface ExperimentFixtures {
  peers: PeerFactory;
  app: TransferApp;
  chaos: ChaosController;
  workDir: string;
  makeFile(sizeBytes: number): Promise<TestFile>;
  requireNeeds(needs: FaultNeeds): void;
  env: ExperimentEnv;
  /** The engine of each peer (the project's pair). */
  engines: { sender: BrowserEngine; receiver: BrowserEngine };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

interface StepState {
  fault: Fault | undefined;
  injectedAt: number | undefined;
  healedAt: number | undefined;
  injected: Deferred;
}

/** A person's answer to a crash: a new tab, or the browser started again, on the same profile. */
async function userRecovers(step: Step, peer: Peer, s: TransferSession, app: TransferApp): Promise<void> {
  const page = step.recovery!.action === 'reopen-tab' ? await peer.newPage() : (await peer.start(), peer.page);
  if (step.target === 'receiver') await app.openReceiver(page, s.link);
  else await app.startSend(page, s.source.path); // the user selects the same file again (BRW-3)
}

async function runStep(step: Step, states: Map<string, StepState>, s: TransferSession, x: Experiment, f: ExperimentFixtures): Promise<void> {
  const state = states.get(step.name)!;
  const t = step.trigger;
  if ('atProgressPercent' in t) await waitForVerified(f.app, s.receiver, Math.floor((x.configuration.fileSizeBytes * t.atProgressPercent) / 100), x.configuration.timeoutMs);
  else if ('afterMs' in t) await sleep(Math.max(0, t.afterMs - s.recorder.now()));
  else {
    await states.get(t.afterStep)!.injected.promise;
    await sleep(t.delayMs ?? 0);
  }
  const usable = USABLE_FAULTS.get(step.fault)!;
  const peer = step.target === undefined ? undefined : s[step.target];
  state.fault = createUsable(usable, step.params, f.env, peer);
  state.injectedAt = s.recorder.now();
  await f.chaos.inject(state.fault);
  state.injected.resolve();
  await Promise.all([
    step.recovery && peer
      ? sleep(step.recovery.afterMs).then(async () => {
          await userRecovers(step, peer, s, f.app);
          // A crash has nothing to heal; once the user has recovered, the fault is over.
          if (step.durationMs === undefined) {
            await f.chaos.heal(state.fault!);
            state.healedAt = s.recorder.now();
          }
        })
      : undefined,
    step.durationMs === undefined
      ? undefined
      : sleep(step.durationMs).then(async () => {
          await f.chaos.heal(state.fault!);
          state.healedAt = s.recorder.now();
        }),
  ]);
}

function describeProbe(p: Probe): string {
  switch (p.type) {
    case 'transfer-completes':
      return 'the transfer completes';
    case 'integrity':
      return 'the received file’s BLAKE3 equals the source’s';
    case 'resumed-from-checkpoint':
      return 'the receiver resumed from its checkpoint, not from zero';
    case 'recovery-under':
      return `bytes flow again within ${p.maxMs} ms of the last heal`;
    case 'resent-bytes-under':
      return `at most ${p.maxBytes} bytes are sent again`;
    case 'cpu-throttled':
      return `step ${p.step} held every process of its peer's browser in its CPU cgroup, and the kernel throttled it in ≥ ${p.minThrottledPeriods} periods`;
  }
}

/**
 * Runs one experiment: starts a transfer, fires every step on its own trigger (so faults may
 * overlap), waits for the transfer, checks the steady-state hypothesis, and always runs the
 * rollbacks. Each probe's measured value goes on the test result as a `probe` annotation.
 */
export async function runExperiment(x: Experiment, f: ExperimentFixtures): Promise<void> {
  for (const step of x.method) f.requireNeeds(usableNeeds(USABLE_FAULTS.get(step.fault)!, step.target === undefined ? undefined : f.engines[step.target]));
  const s = await startTransfer({ peers: f.peers, app: f.app, source: await f.makeFile(x.configuration.fileSizeBytes) });
  const states = new Map<string, StepState>(x.method.map((st) => [st.name, { fault: undefined, injectedAt: undefined, healedAt: undefined, injected: deferred() }]));
  const note = (description: string) => test.info().annotations.push({ type: 'probe', description });
  try {
    await Promise.all(x.method.map((st) => runStep(st, states, s, x, f)));
    await f.app.waitForComplete(s.receiver.page, Math.max(10_000, x.configuration.timeoutMs - s.recorder.now()));
    const completedAt = s.recorder.now();
    await s.recorder.stop();

    const injects = [...states.values()].map((st) => st.injectedAt).filter((v): v is number => v !== undefined);
    const heals = [...states.values()].map((st) => st.healedAt).filter((v): v is number => v !== undefined);
    // Faults that stay until the rollbacks (a CPU throttle) have no "after heal" to recover from.
    const measured = recoveryFigures(s.recorder, Math.min(...injects), heals.length > 0 ? Math.max(...heals) : Math.max(...injects));
    const figures = heals.length > 0 ? measured : { ...measured, timeToRecoverMs: undefined };
    await attachRecovery(test.info(), figures);

    for (const probe of x.steadyStateHypothesis.probes) {
      const what = describeProbe(probe);
      if (probe.type === 'transfer-completes') note(`${what}: yes, after ${(completedAt / 1000).toFixed(1)} s`);
      else if (probe.type === 'integrity') {
        await expectIntact(f.app, s, f.workDir);
        note(`${what}: yes`);
      } else if (probe.type === 'resumed-from-checkpoint') {
        const resumedFrom = (await f.app.progress(s.receiver.page)).resumedFromBytes;
        note(`${what}: resumed from ${resumedFrom ?? 'unknown'} bytes, ${figures.verifiedAtInjectBytes} verified before the first fault`);
        expect(resumedFrom, `${what}: the receiver reports where it resumed`).toBeDefined();
        expect(resumedFrom!, what).toBeGreaterThanOrEqual(figures.verifiedAtInjectBytes);
      } else if (probe.type === 'recovery-under') {
        note(`${what}: ${figures.timeToRecoverMs === undefined ? 'never measured' : `${figures.timeToRecoverMs} ms`}`);
        expect(figures.timeToRecoverMs, `${what} (probe of "${x.steadyStateHypothesis.title}")`).toBeDefined();
        expect(figures.timeToRecoverMs!, what).toBeLessThanOrEqual(probe.maxMs);
      } else if (probe.type === 'cpu-throttled') {
        const fault = states.get(probe.step)?.fault;
        const report = fault && reportsCpuThrottling(fault) ? fault.cpuThrottling() : undefined;
        expect(report, `${what}: the fault of step ${probe.step} reports CPU throttling (cpu-quota does)`).toBeDefined();
        const r = report!;
        note(`${what}: ${r.group === undefined ? 'no cgroup was made' : `${r.processesInGroup} of ${r.processesInTree} processes in ${r.group}; throttled in ${r.stats.nrThrottled} of ${r.stats.nrPeriods} periods, held back ${(r.stats.throttledMs / 1000).toFixed(1)} s`}`);
        expect(r.group, `${what}: a cgroup was made (HARNESS_FAULTS_OFF=1 makes none)`).toBeDefined();
        expect(r.processesInTree, what).toBeGreaterThan(0);
        expect(r.processesInGroup, `${what}: processes of the browser tree in the group`).toBe(r.processesInTree);
        expect(r.stats.nrThrottled, `${what}: throttled periods`).toBeGreaterThanOrEqual(probe.minThrottledPeriods);
      } else {
        const resent = (await f.app.progress(s.sender.page)).resentBytes;
        note(`${what}: ${resent ?? 'not reported'} bytes`);
        expect(resent, `${what}: the sender reports what it sent again`).toBeDefined();
        expect(resent!, what).toBeLessThanOrEqual(probe.maxBytes);
      }
    }
  } finally {
    for (const r of x.rollbacks ?? []) {
      if (r.action === 'heal-all') await f.chaos.healAll();
      else {
        const fault = states.get(r.step)?.fault;
        if (fault) await f.chaos.heal(fault);
      }
    }
  }
}
