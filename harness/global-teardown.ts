import fs from 'node:fs';
import { sweepStale } from './netns/cleanup.js';
import { sweepLeftoverCpuGroups } from './process/cpu-cgroup.js';
import { reapRecorded } from './process/pid-registry.js';
import { sweepLeftoverTmpfs } from './process/tmpfs-mount.js';

/**
 * Ends any process a worker started and could not stop (a crashed or killed worker), and removes
 * network namespaces whose owning worker is gone, tmpfs profile mounts (RES-1) and CPU cgroups
 * (cpu-quota, RES-3) it left. Each sweep touches only what a dead process made: a concurrent run
 * on the same machine keeps its live namespaces, mounts and groups.
 */
export default async function globalTeardown(): Promise<void> {
  const dir = process.env.HARNESS_PID_DIR;
  if (dir) {
    const reaped = reapRecorded(dir);
    if (reaped.length > 0) console.warn(`harness: ended ${reaped.length} leftover process(es): ${reaped.join(', ')}`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (process.getuid?.() === 0) {
    const swept = await sweepStale().catch(() => undefined);
    if (swept && swept.namespaces.length > 0) console.warn(`harness: removed leftover network namespaces: ${swept.namespaces.join(', ')}`);
    const mounts = await sweepLeftoverTmpfs().catch(() => []);
    if (mounts.length > 0) console.warn(`harness: unmounted leftover tmpfs profile dirs (RES-1): ${mounts.join(', ')}`);
    const groups = await sweepLeftoverCpuGroups().catch(() => []);
    if (groups.length > 0) console.warn(`harness: removed leftover CPU cgroups (cpu-quota): ${groups.join(', ')}`);
  }
}
