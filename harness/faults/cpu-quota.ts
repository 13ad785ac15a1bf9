import fs from 'node:fs';
import type { Peer } from '../browser/peer.js';
import { HarnessError } from '../errors.js';
import { processTree } from '../process/process-tree.js';
import { cgroupDirOf, createCpuQuotaGroup, movePid, type CpuQuotaGroup, type CpuThrottleStats } from '../process/cpu-cgroup.js';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface CpuQuotaParams {
  /** Share of ONE core the peer's whole browser (every process) may use, percent: 25 = a quarter core. */
  cpuPercent: number;
}

/** What the fault did, for a probe to check that it acted (and so that HARNESS_FAULTS_OFF=1 fails it). */
export interface CpuThrottlingReport {
  /** The group's directory; undefined when the fault was never injected. */
  group: string | undefined;
  /** The group's cpu.stat: periods with work, periods cut short by the quota, time held back. */
  stats: CpuThrottleStats;
  /** Processes of the peer's browser tree in the group, and in the tree, at the last look. */
  processesInGroup: number;
  processesInTree: number;
}

/** Optional ability of a fault that starves a peer of CPU: say what it did. */
export interface ReportsCpuThrottling {
  cpuThrottling(): CpuThrottlingReport;
}

export function reportsCpuThrottling(fault: Fault): fault is Fault & ReportsCpuThrottling {
  return typeof (fault as Partial<ReportsCpuThrottling>).cpuThrottling === 'function';
}

/** A process forked while we move its parent may land outside: look again until the tree is all in. */
const MOVE_PASSES = 5;
const NO_STATS: CpuThrottleStats = { nrPeriods: 0, nrThrottled: 0, throttledMs: 0 };

/**
 * Starves one peer's WHOLE browser of CPU through the kernel, on any engine: a cgroup of ours
 * (`harness-cpu-<runner pid>-<n>`, cgroup v1 `cpu` or v2 `cpu.max`) with a CFS quota of
 * `cpuPercent` of one core, and every process of the browser's tree moved into it; processes the
 * browser forks later inherit it. Unlike CDP throttling (one page's main thread), the worker,
 * the network process and IndexedDB's backend starve too. Heal moves every process still in the
 * group back where it was and removes the group, also when the browser died meanwhile.
 */
export const cpuQuota = registerFault<CpuQuotaParams, { peer: Peer }>({
  name: 'cpu-quota',
  summary: 'limit one peer’s whole browser process tree to a share of one core (cgroup CPU quota, any engine)',
  needs: { root: true, linux: true, cpuCgroup: true },
  create(params, { peer }): Fault<CpuQuotaParams> & ReportsCpuThrottling {
    let group: CpuQuotaGroup | undefined;
    let browserPid: number | undefined;
    /** Where each process we moved was before. */
    const origin = new Map<number, string>();
    let last: CpuThrottlingReport = { group: undefined, stats: NO_STATS, processesInGroup: 0, processesInTree: 0 };

    const look = (): CpuThrottlingReport => {
      if (!group || browserPid === undefined) return last;
      const tree = processTree(browserPid).filter((pid) => cgroupDirOf(pid, group!.controller) !== undefined);
      const inGroup = tree.filter((pid) => cgroupDirOf(pid, group!.controller) === group!.dir).length;
      last = { group: group.dir, stats: group.stats(), processesInGroup: inGroup, processesInTree: tree.length };
      return last;
    };

    return {
      name: 'cpu-quota',
      params,
      async inject() {
        if (group) return;
        browserPid = peer.pid;
        if (browserPid === undefined) {
          throw new HarnessError('ERR_CONFIG', `cannot starve peer ${peer.name} of CPU: its browser process is not known`, {
            context: { peer: peer.name },
            hint: 'Inject cpu-quota while the peer is running (after peers.launch / peer.start).',
          });
        }
        group = createCpuQuotaGroup(params.cpuPercent);
        for (let pass = 0; pass < MOVE_PASSES; pass++) {
          const outside = processTree(browserPid).filter((pid) => cgroupDirOf(pid, group!.controller) !== group!.dir);
          if (outside.length === 0) break;
          for (const pid of outside) {
            const was = cgroupDirOf(pid, group.controller);
            if (was === undefined) continue; // gone meanwhile
            if (group.add(pid)) origin.set(pid, was);
          }
        }
        look();
      },
      async heal() {
        if (!group) return;
        look();
        const g = group;
        // Processes forked inside the group go where the browser itself was.
        const home = (browserPid !== undefined ? origin.get(browserPid) : undefined) ?? g.controller.mountPoint;
        // Only what is in OUR group now: a remembered PID since reused by another process is left alone.
        for (const pid of g.pids()) {
          const back = origin.get(pid) ?? home;
          try {
            movePid(pid, fs.existsSync(back) ? back : g.controller.mountPoint);
          } catch {
            // Deliberately not fatal: remove() below moves whatever is left to the root group.
          }
        }
        await g.remove();
        group = undefined;
        origin.clear();
      },
      cpuThrottling: () => look(),
    };
  },
});
