import { execFileSync } from 'node:child_process';
import { cpuControllerMissing } from '../process/cpu-cgroup.js';
import type { FaultNeeds } from './fault.js';

export function onPath(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${JSON.stringify(binary)}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What the machine itself offers, read once per check; a test passes its own to check a machine it is not on. */
export interface MachineFacts {
  platform: NodeJS.Platform;
  root: boolean;
  hasBinary(name: string): boolean;
  /** Why the cgroup CPU controller cannot be used here, or undefined when it can. */
  cpuControllerMissing(): string | undefined;
}

/** This machine, as it is now. */
export const THIS_MACHINE: MachineFacts = {
  platform: process.platform,
  root: process.getuid?.() === 0,
  hasBinary: onPath,
  cpuControllerMissing,
};

export interface NeedsContext {
  browserName: string;
  /** The engines of the peers the fault may act on (the project's pair); default [browserName]. */
  engines?: readonly string[];
  turnManaged: boolean;
  /** The machine the needs are checked against; default THIS_MACHINE. */
  machine?: MachineFacts;
}

/** Why these needs cannot be met here, or undefined when they can. The reason is printed with the skip. */
export function missingNeeds(needs: FaultNeeds, ctx: NeedsContext): string | undefined {
  const m = ctx.machine ?? THIS_MACHINE;
  const missing: string[] = [];
  if (needs.linux && m.platform !== 'linux') missing.push(`Linux (this is ${m.platform})`);
  if (needs.root && !m.root) missing.push('root (CAP_NET_ADMIN) to change firewall rules, qdiscs or namespaces; run as root or in CI');
  for (const b of needs.binaries ?? []) if (!m.hasBinary(b)) missing.push(`the \`${b}\` command (apt-get install -y ${b === 'nft' ? 'nftables' : b === 'tc' || b === 'ip' ? 'iproute2' : b})`);
  const engines = ctx.engines ?? [ctx.browserName];
  const notChromium = engines.filter((e) => e !== 'chromium');
  if (needs.chromiumCdp && notChromium.length > 0) missing.push(`Chromium (this fault uses CDP; this pair has ${[...new Set(notChromium)].join(', ')})`);
  const allowed: readonly string[] | undefined = needs.engines;
  const unsupported = allowed ? [...new Set(engines.filter((e) => !allowed.includes(e)))] : [];
  if (allowed && unsupported.length > 0) missing.push(`${allowed.join(' or ')} peers (this fault cannot act on ${unsupported.join(', ')})`);
  const cgroup = needs.cpuCgroup ? m.cpuControllerMissing() : undefined;
  if (cgroup) missing.push(cgroup);
  if (needs.managedTurn && !ctx.turnManaged) missing.push('a TURN server the harness started (TURN_URL points at an external one it must not kill)');
  return missing.length ? `needs ${missing.join('; ')}` : undefined;
}
