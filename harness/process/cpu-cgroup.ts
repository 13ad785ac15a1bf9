import fs from 'node:fs';
import path from 'node:path';
import { HarnessError } from '../errors.js';
import { pidAlive } from '../../lib/process/pid-alive.js';

/** The CFS period we set on our groups, µs (the kernel's default); the quota is a share of it. */
export const CFS_PERIOD_US = 100_000;
/** The kernel refuses a quota under 1 ms per period. */
const MIN_QUOTA_US = 1_000;
/** rmdir on a group whose last process is still exiting says EBUSY for a moment. */
const RMDIR_ATTEMPTS = 20;
const RMDIR_RETRY_MS = 50;

/**
 * Groups this harness makes are named `harness-cpu-<pid of the process that made it>-<n>`, directly
 * under the hierarchy's root. The sweep removes only names of this shape, and only when that
 * process is gone (another run may be using its group right now).
 */
const OURS = /^harness-cpu-(\d+)-(\d+)$/;

/** Where the CPU controller is: a cgroup v1 hierarchy with `cpu` bound, or cgroup v2 with `cpu` enabled for children. */
export interface CpuController {
  version: 1 | 2;
  /** Mount point, e.g. /sys/fs/cgroup/cpu (v1) or /sys/fs/cgroup (v2). */
  mountPoint: string;
  /** The cgroup path the mount shows as its root (`/` unless in a cgroup namespace or a bind mount). */
  mountRoot: string;
}

export interface CpuThrottleStats {
  /** CFS periods in which the group had runnable work. */
  nrPeriods: number;
  /** Periods in which it used its whole quota and was stopped. */
  nrThrottled: number;
  /** Time its processes were held back, ms. */
  throttledMs: number;
}

const read = (file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** The CPU controller from /proc/self/mountinfo text; v1 first (on a hybrid system `cpu` is bound there, not in v2). */
export function findCpuController(mountinfo = read('/proc/self/mountinfo')): CpuController | undefined {
  const mounts = mountinfo
    .split('\n')
    .map((line) => {
      // "<id> <parent> <maj:min> <root> <mount point> <opts> [optional…] - <fstype> <source> <super opts>"
      const [pre, post] = line.split(' - ');
      const f = pre?.split(' ') ?? [];
      const [fstype, , superOpts] = post?.split(' ') ?? [];
      return { root: f[3], mountPoint: f[4], fstype, superOpts: superOpts?.split(',') ?? [] };
    })
    .filter((m): m is { root: string; mountPoint: string; fstype: string; superOpts: string[] } => m.root !== undefined && m.mountPoint !== undefined && m.fstype !== undefined);
  const v1 = mounts.find((m) => m.fstype === 'cgroup' && m.superOpts.includes('cpu'));
  if (v1) return { version: 1, mountPoint: v1.mountPoint, mountRoot: v1.root };
  const v2 = mounts.find((m) => m.fstype === 'cgroup2' && words(read(path.join(m.mountPoint, 'cgroup.subtree_control'))).includes('cpu'));
  if (v2) return { version: 2, mountPoint: v2.mountPoint, mountRoot: v2.root };
  return undefined;
}

const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');

/** Why a CPU-quota group cannot be made here, or undefined when it can. Printed with the skip. */
export function cpuControllerMissing(): string | undefined {
  if (process.platform !== 'linux') return `the Linux cgroup CPU controller (this is ${process.platform})`;
  const c = findCpuController();
  if (!c) {
    return 'the cgroup CPU controller (no cgroup v1 hierarchy with `cpu`, and no cgroup v2 hierarchy with `cpu` in the root cgroup.subtree_control; on cgroup v2: `echo +cpu > /sys/fs/cgroup/cgroup.subtree_control`)';
  }
  try {
    fs.accessSync(c.mountPoint, fs.constants.W_OK);
  } catch {
    return `write access to ${c.mountPoint} (run as root)`;
  }
  return undefined;
}

/** The directory of a process's current CPU cgroup, from /proc/<pid>/cgroup; undefined when the process is gone. */
export function cgroupDirOf(pid: number, c: CpuController): string | undefined {
  const text = read(`/proc/${pid}/cgroup`);
  if (text === '') return undefined;
  for (const line of text.split('\n')) {
    // "<id>:<controllers>:<path>"; the path may itself hold ':'.
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second).split(',');
    const cgPath = line.slice(second + 1);
    const match = c.version === 1 ? controllers.includes('cpu') : line.slice(0, first) === '0' && controllers[0] === '';
    if (match) return path.join(c.mountPoint, path.relative(c.mountRoot, cgPath));
  }
  return undefined;
}

let created = 0;

/** One group of ours with a CPU quota. */
export interface CpuQuotaGroup {
  readonly dir: string;
  readonly controller: CpuController;
  /** Moves a process (all its threads) into the group; false when it is gone. */
  add(pid: number): boolean;
  /** PIDs in the group now. */
  pids(): number[];
  stats(): CpuThrottleStats;
  /** Moves what is left to the parent and removes the group. Safe to call twice. */
  remove(): Promise<void>;
}

/** Quota per period for `cpuPercent` of one core, µs. */
export function quotaUs(cpuPercent: number): number {
  return Math.round((CFS_PERIOD_US * cpuPercent) / 100);
}

/** Makes `harness-cpu-<our pid>-<n>` limited to `cpuPercent` of one core. Needs root. */
export function createCpuQuotaGroup(cpuPercent: number, c: CpuController | undefined = findCpuController()): CpuQuotaGroup {
  const quota = quotaUs(cpuPercent);
  if (!Number.isFinite(cpuPercent) || quota < MIN_QUOTA_US) {
    throw new HarnessError('ERR_CONFIG', `cpuPercent ${cpuPercent} is not a CPU share the kernel can enforce (at least ${(MIN_QUOTA_US / CFS_PERIOD_US) * 100}% of one core)`, {
      context: { cpuPercent, periodUs: CFS_PERIOD_US },
      hint: 'Pass cpuPercent as a percentage of one core, e.g. 25.',
    });
  }
  if (!c) throw new HarnessError('ERR_CONFIG', `cannot limit CPU: needs ${cpuControllerMissing() ?? 'the cgroup CPU controller'}`, { hint: 'Declare needs.cpuCgroup on the fault so the scenario skips here.' });
  const dir = path.join(c.mountPoint, `harness-cpu-${process.pid}-${++created}`);
  try {
    fs.mkdirSync(dir);
    if (c.version === 1) {
      fs.writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
      fs.writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(quota));
    } else {
      fs.writeFileSync(path.join(dir, 'cpu.max'), `${quota} ${CFS_PERIOD_US}`);
    }
  } catch (err) {
    // A cgroup directory goes with rmdir (its control files cannot be unlinked); it may not exist.
    try {
      fs.rmdirSync(dir);
    } catch {
      // never made, or already gone
    }
    throw new HarnessError('ERR_CONFIG', `could not make the CPU cgroup ${dir}: ${(err as Error).message}`, {
      context: { dir, cpuPercent, cgroupVersion: c.version },
      hint: 'Run as root with the cgroup CPU controller mounted (see needs.cpuCgroup).',
      cause: err,
    });
  }
  let removed = false;
  return {
    dir,
    controller: c,
    add: (pid) => movePid(pid, dir),
    pids: () => pidsIn(dir),
    stats: () => readStats(dir, c.version),
    async remove() {
      if (removed) return;
      await removeGroup(dir, path.dirname(dir));
      removed = true;
    },
  };
}

/** Writes a PID to a group's cgroup.procs; false when the process is gone (ESRCH) or the group is. */
export function movePid(pid: number, dir: string): boolean {
  try {
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH' || code === 'ENOENT') return false;
    throw new HarnessError('ERR_CONFIG', `could not move process ${pid} into ${dir}: ${(err as Error).message}`, {
      context: { pid, dir },
      hint: 'Run as root; a kernel thread or a process in another cgroup namespace cannot be moved.',
      cause: err,
    });
  }
}

function pidsIn(dir: string): number[] {
  return words(read(path.join(dir, 'cgroup.procs'))).map(Number);
}

function readStats(dir: string, version: 1 | 2): CpuThrottleStats {
  const kv = new Map(
    read(path.join(dir, 'cpu.stat'))
      .split('\n')
      .map((l) => l.split(' '))
      .filter((f) => f.length === 2)
      .map(([k, v]) => [k!, Number(v)]),
  );
  return {
    nrPeriods: kv.get('nr_periods') ?? 0,
    nrThrottled: kv.get('nr_throttled') ?? 0,
    // v1 counts throttled time in ns, v2 in µs.
    throttledMs: version === 1 ? (kv.get('throttled_time') ?? 0) / 1e6 : (kv.get('throttled_usec') ?? 0) / 1e3,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function removeGroup(dir: string, parent: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (!fs.existsSync(dir)) return;
    for (const pid of pidsIn(dir)) movePid(pid, parent);
    try {
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt >= RMDIR_ATTEMPTS) {
        throw new HarnessError('ERR_CONFIG', `could not remove the CPU cgroup ${dir}: ${(err as Error).message}`, {
          context: { dir, pids: pidsIn(dir) },
          hint: `Move its processes out (\`cat ${dir}/cgroup.procs\`, write each to ${parent}/cgroup.procs) and \`rmdir ${dir}\` as root.`,
          cause: err,
        });
      }
      await sleep(RMDIR_RETRY_MS);
    }
  }
}

/** Names of our groups whose making process is gone, from a listing of the hierarchy's root. */
export function leftoverGroupNames(entries: readonly string[], isAlive: (pid: number) => boolean = pidAlive): string[] {
  return entries.filter((name) => {
    const m = OURS.exec(name);
    return m !== null && !isAlive(Number(m[1]));
  });
}

/** Removes our leftover groups (their processes moved to the root first); returns their paths. For global teardown. */
export async function sweepLeftoverCpuGroups(): Promise<string[]> {
  const c = findCpuController();
  if (!c) return [];
  const dirs = leftoverGroupNames(fs.readdirSync(c.mountPoint)).map((n) => path.join(c.mountPoint, n));
  for (const dir of dirs) await removeGroup(dir, c.mountPoint).catch(() => undefined);
  return dirs;
}
