import { randomBytes } from 'node:crypto';

import { run, succeeds } from './exec.js';
import { NETNS_PREFIX } from './names.js';
import { deleteNamespaces } from './namespaces.js';
import { claimSlot, releaseSlot } from './registry.js';

let cached: Promise<boolean> | undefined;

/**
 * Whether this kernel has sch_netem (delay, jitter, reordering in tc). Many container and CI
 * kernels ship without it; delay then needs the userspace proxy. Probed once per process, for
 * real, on the loopback of a scratch namespace (no dummy module needed, nothing of the host's
 * touched); the scratch namespace is registered like a topology, so a crash mid-probe is swept.
 */
export async function hasNetem(): Promise<boolean> {
  cached ??= probeNetem();
  return cached;
}

async function probeNetem(): Promise<boolean> {
  const ns = `${NETNS_PREFIX}probe-${randomBytes(3).toString('hex')}`;
  const claim = claimSlot('netem-probe', [ns]);
  try {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return await succeeds('tc', ['-n', ns, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
  } finally {
    await deleteNamespaces([ns]);
    releaseSlot(claim.slot);
  }
}
