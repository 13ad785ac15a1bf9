import type { BrowserEngine } from '../browser/engine.js';
import { USABLE_FAULTS, usableNeeds } from '../experiment/fault-contexts.js';
import { missingNeeds, type MachineFacts } from '../faults/needs.js';
import { MONKEY_FAULTS, type MonkeyFault, type Target } from './monkey-faults.js';

/** What decides which faults this run may draw: the machine, the pair, and who runs coturn. */
export interface MonkeyEnv {
  machine: MachineFacts;
  engines: { sender: BrowserEngine; receiver: BrowserEngine };
  turnManaged: boolean;
}

export interface EligibleFault {
  fault: MonkeyFault;
  /** The peers it can act on here (browser-side faults); empty for server- and network-side ones. */
  targets: readonly Target[];
}

export interface Eligibility {
  eligible: EligibleFault[];
  /** Each fault (or fault on one peer) left out, with the reason its needs give. */
  skipped: { fault: string; target?: Target; reason: string }[];
}

/**
 * The monkey's faults whose needs this machine meets, checked by the same `missingNeeds` that
 * makes a scenario skip: a fault on one peer counts that peer's engine only.
 */
export function eligibleFaults(env: MonkeyEnv, table: readonly MonkeyFault[] = MONKEY_FAULTS): Eligibility {
  const out: Eligibility = { eligible: [], skipped: [] };
  for (const f of table) {
    const usable = USABLE_FAULTS.get(f.fault);
    if (!usable) throw new Error(`the monkey's fault ${f.fault} is not one an experiment can name (harness/experiment/fault-contexts.ts)`);
    if (!f.targets) {
      const engines = [env.engines.sender, env.engines.receiver];
      const reason = missingNeeds(usableNeeds(usable, undefined), { browserName: engines[0]!, engines, turnManaged: env.turnManaged, machine: env.machine });
      if (reason) out.skipped.push({ fault: f.fault, reason });
      else out.eligible.push({ fault: f, targets: [] });
      continue;
    }
    const targets: Target[] = [];
    for (const t of f.targets) {
      const engine = env.engines[t];
      const reason = missingNeeds(usableNeeds(usable, engine), { browserName: engine, engines: [engine], turnManaged: env.turnManaged, machine: env.machine });
      if (reason) out.skipped.push({ fault: f.fault, target: t, reason });
      else targets.push(t);
    }
    if (targets.length > 0) out.eligible.push({ fault: f, targets });
  }
  return out;
}
