import type { TestInfo } from '@playwright/test';
import { HarnessError } from '../errors.js';
import type { Fault, FaultEvidence } from './fault.js';

/**
 * `HARNESS_FAULTS_OFF=1` records every fault but injects none: a mutation check of the suite
 * itself. Each scenario should then FAIL on the assertion it exists for; one that still passes
 * does not test its fault.
 */
const faultsOff = (): boolean => process.env.HARNESS_FAULTS_OFF === '1';

export interface FaultRecord {
  name: string;
  params: object;
  injectedAtMs: number;
  healedAtMs: number | undefined;
  /**
   * In-run proof that it acted, read at heal. `null`: this fault cannot count its effect (yet);
   * undefined: not healed yet, or not injected (faults off).
   */
  evidence?: FaultEvidence | null;
}

/**
 * Injects faults for one test and guarantees they are healed: the fixture calls healAll() in
 * teardown, whatever the test did. Records when each fault acted, for the test's result.
 */
export class ChaosController {
  private readonly active: Fault[] = [];
  readonly records: FaultRecord[] = [];

  constructor(private readonly testInfo: TestInfo) {}

  async inject<P extends object>(fault: Fault<P>): Promise<Fault<P>> {
    // Registered before inject(), so a half-applied fault is still healed.
    this.active.push(fault);
    const record: FaultRecord = { name: fault.name, params: fault.params, injectedAtMs: Date.now(), healedAtMs: undefined };
    this.records.push(record);
    if (faultsOff()) {
      this.testInfo.annotations.push({ type: 'faults-off', description: `${fault.name} was NOT injected (HARNESS_FAULTS_OFF=1)` });
      return fault;
    }
    await fault.inject();
    return fault;
  }

  async heal(fault: Fault): Promise<void> {
    const i = this.active.indexOf(fault);
    if (i >= 0) this.active.splice(i, 1);
    await fault.heal();
    const record = [...this.records].reverse().find((r) => r.name === fault.name && r.healedAtMs === undefined);
    if (record) record.healedAtMs = Date.now();
    if (faultsOff()) return;
    const evidence = fault.evidence ? fault.evidence() : null;
    if (record) record.evidence = evidence;
    if (evidence && !evidence.acted) {
      throw new HarnessError('ERR_FAULT_DID_NOT_ACT', `fault ${fault.name} did not act: ${evidence.summary}`, {
        context: { fault: fault.name, params: fault.params, facts: evidence.facts },
        hint: 'A fault that changed nothing proves nothing: check that traffic crossed what it breaks while it was on (the path in use, the peer named, the window inside the transfer).',
      });
    }
  }

  /** Heals everything still active, newest first; every heal runs even if one fails. */
  async healAll(): Promise<void> {
    const errors: unknown[] = [];
    while (this.active.length > 0) {
      const fault = this.active[this.active.length - 1]!;
      await this.heal(fault).catch((err: unknown) => {
        this.active.splice(this.active.indexOf(fault), 1);
        errors.push(err);
      });
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} fault(s) failed to heal`);
  }

  /** Puts what was injected and healed, with timestamps, on the test result (the fixture calls it once). */
  async attachRecords(): Promise<void> {
    if (this.records.length > 0) {
      await this.testInfo.attach('faults.json', { body: JSON.stringify(this.records, null, 2), contentType: 'application/json' });
    }
  }
}
