import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Peer } from '../../harness/browser/peer.js';
import type { Experiment } from '../../harness/experiment/experiment.js';
import { USABLE_FAULTS } from '../../harness/experiment/fault-contexts.js';
import { validateExperiment } from '../../harness/experiment/validate-experiment.js';
import { cpuQuota, reportsCpuThrottling } from '../../harness/faults/cpu-quota.js';
import { missingNeeds } from '../../harness/faults/needs.js';
import { processTree } from '../../harness/process/process-tree.js';
import { cgroupDirOf, cpuControllerMissing, createCpuQuotaGroup, findCpuController, leftoverGroupNames, quotaUs, sweepLeftoverCpuGroups } from '../../harness/process/cpu-cgroup.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
const controllerMissing = isRoot ? cpuControllerMissing() : 'root';
if (controllerMissing) console.warn(`skipped: cpu-quota tests on real processes need ${controllerMissing}`);

/** CPU use is measured over this window, ms. */
const WINDOW_MS = 1_000;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** utime + stime of every process in the tree, seconds. */
function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((sum, pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return sum + (Number(f[11]) + Number(f[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
    } catch {
      return sum;
    }
  }, 0);
}

/** Cores the tree used over WINDOW_MS (1.0 = one core busy the whole time). */
async function coresUsed(root: number): Promise<number> {
  const before = treeCpuSeconds(root);
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  return (treeCpuSeconds(root) - before) / ((performance.now() - t0) / 1000);
}

/**
 * A stand-in browser: an idle parent with one busy-looping child, which forks another busy child
 * on SIGUSR2 (a renderer started after the fault was injected).
 */
const TREE_SCRIPT = `
const { spawn } = require('node:child_process');
const busy = () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
busy();
process.on('SIGUSR2', busy);
setInterval(() => {}, 1000);
`;

describe('cpu-quota: cgroup plumbing without processes', () => {
  it('finds the CPU controller in mountinfo: cgroup v1 `cpu` first, else cgroup v2', () => {
    const v1 = [
      '31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
      '32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
      '40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
    ].join('\n');
    expect(findCpuController(v1)).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/cpu', mountRoot: '/' });
    const combined = '31 30 0:28 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct';
    expect(findCpuController(combined)).toEqual({ version: 1, mountPoint: '/sys/fs/cgroup/cpu,cpuacct', mountRoot: '/docker/abc' });
    // `cpuset` is not `cpu`, and a v2 mount whose subtree_control cannot be read has no cpu for children.
    expect(findCpuController('33 30 0:30 / /sys/fs/cgroup/cpuset rw - cgroup cgroup rw,cpuset\n40 30 0:37 / /nonexistent rw - cgroup2 cgroup2 rw')).toBeUndefined();
  });

  it('sweeps only our names whose making process is gone', () => {
    const alive = (pid: number) => pid === 100;
    expect(leftoverGroupNames(['harness-cpu-100-1', 'harness-cpu-200-3', 'harness-cpu-200-x', 'user.slice', 'harness-cpu-300-2-extra', 'docker'], alive)).toEqual(['harness-cpu-200-3']);
  });

  it('turns a share of one core into a CFS quota, and refuses one the kernel cannot enforce', () => {
    expect(quotaUs(25)).toBe(25_000);
    expect(quotaUs(150)).toBe(150_000);
    expect(() => createCpuQuotaGroup(0.5, { version: 1, mountPoint: '/nonexistent', mountRoot: '/' })).toThrow(/ERR_CONFIG: cpuPercent 0.5 .*at least 1% of one core/);
    expect(() => createCpuQuotaGroup(Number.NaN, { version: 1, mountPoint: '/nonexistent', mountRoot: '/' })).toThrow(/ERR_CONFIG/);
  });

  it('declares what it needs; the needs check names the controller when it is missing', () => {
    expect(cpuQuota.needs).toEqual({ root: true, linux: true, cpuCgroup: true });
    const missing = missingNeeds(cpuQuota.needs, { browserName: 'chromium', engines: ['chromium', 'firefox'], turnManaged: true });
    if (isRoot && !controllerMissing) expect(missing).toBeUndefined();
    else expect(missing).toMatch(/needs /);
  });
});

describe('the cpu-throttled probe in an experiment', () => {
  const x: Experiment = {
    title: 'starved',
    configuration: { fileSizeBytes: 1024, iceTransportPolicy: 'all', turnRoute: 'direct', timeoutMs: 60_000 },
    steadyStateHypothesis: { title: 'h', probes: [{ type: 'cpu-throttled', step: 'starve', minThrottledPeriods: 10 }] },
    method: [{ name: 'starve', fault: 'cpu-quota', params: { cpuPercent: 25 }, target: 'receiver', trigger: { atProgressPercent: 1 } }],
  };
  const problems = (doc: unknown): string => {
    try {
      validateExperiment(doc, 'x.json', USABLE_FAULTS);
      return 'valid';
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('accepts cpu-quota on a peer with the probe naming its step; the types and the schema agree', () => {
    expect(problems(x)).toBe('valid');
    expect(USABLE_FAULTS.get('cpu-quota')?.browserSide).toBe(true);
  });

  it.each([
    ['a probe without its threshold', (d: any) => delete d.steadyStateHypothesis.probes[0].minThrottledPeriods, '/steadyStateHypothesis/probes/0/minThrottledPeriods: is required'],
    ['a threshold of 0 (would pass with the fault off)', (d: any) => (d.steadyStateHypothesis.probes[0].minThrottledPeriods = 0), '/steadyStateHypothesis/probes/0/minThrottledPeriods: must be >= 1'],
    ['a step that does not exist', (d: any) => (d.steadyStateHypothesis.probes[0].step = 'nope'), '/steadyStateHypothesis/probes/0/step: no step is named "nope"'],
    ['cpu-quota without a target', (d: any) => delete d.method[0].target, '/method/0/target: cpu-quota acts on one browser'],
  ])('points at the field: %s', (_what, change, expected) => {
    const d = structuredClone(x) as any;
    change(d);
    expect(problems(d)).toContain(expected);
  });
});

describe.skipIf(controllerMissing !== undefined)('cpu-quota on real processes (root, cgroup CPU controller)', () => {
  const started: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of started.splice(0)) {
      // By PID, children first: the tree is ours.
      for (const pid of processTree(child.pid!).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await sleep(100);
    const c = findCpuController()!;
    const mine = fs.readdirSync(c.mountPoint).filter((n) => n.startsWith(`harness-cpu-${process.pid}-`));
    expect(mine, 'no group of this test is left').toEqual([]);
  });

  /** The fault as an experiment's runner sees it: through its optional reporting ability. */
  function starve(cpuPercent: number, pid: number | undefined, name = 'busy') {
    const fault = cpuQuota.create({ cpuPercent }, { peer: { name, pid } as unknown as Peer });
    if (!reportsCpuThrottling(fault)) throw new Error('cpu-quota must report its throttling');
    return fault;
  }

  function startTree(): number {
    const child = spawn(process.execPath, ['-e', TREE_SCRIPT], { stdio: 'ignore' });
    started.push(child);
    return child.pid!;
  }

  async function waitForTree(root: number, size: number): Promise<void> {
    for (let i = 0; i < 100 && processTree(root).length < size; i++) await sleep(20);
    expect(processTree(root).length).toBe(size);
  }

  it('holds a busy process tree to 20% of one core, catches a process forked later, and heal puts every process back', async () => {
    const root = startTree();
    await waitForTree(root, 2);
    const c = findCpuController()!;
    const originally = processTree(root).map((pid) => cgroupDirOf(pid, c));
    const free = await coresUsed(root);

    const fault = starve(20, root);
    await fault.inject();
    const report = fault.cpuThrottling();
    expect(report.group).toMatch(new RegExp(`/harness-cpu-${process.pid}-\\d+$`));
    expect(fs.readFileSync(path.join(report.group!, c.version === 1 ? 'cpu.cfs_quota_us' : 'cpu.max'), 'utf8').trim()).toBe(c.version === 1 ? '20000' : '20000 100000');
    expect(report.processesInGroup).toBe(2);

    process.kill(root, 'SIGUSR2'); // a "renderer" forked after inject inherits the group
    await waitForTree(root, 3);
    const throttled = await coresUsed(root);
    const after = fault.cpuThrottling();
    console.info(`cpu-quota unit: busy tree used ${free.toFixed(2)} cores free, ${throttled.toFixed(2)} at 20% (3 processes; throttled ${after.stats.nrThrottled} of ${after.stats.nrPeriods} periods)`);
    expect(after.processesInGroup, 'the later process is in the group too').toBe(3);
    expect(after.stats.nrThrottled).toBeGreaterThan(0);
    // 0.20 core plus slack for the kernel's accounting; and clearly under what it used free.
    expect(throttled).toBeLessThan(0.3);
    expect(throttled).toBeLessThan(free * 0.6);

    await fault.heal();
    expect(fs.existsSync(report.group!), 'the group is gone').toBe(false);
    const now = processTree(root).map((pid) => cgroupDirOf(pid, c));
    expect(now).toEqual([...originally, originally[0]]); // the later one goes where the root was
    await fault.heal(); // twice is fine
    expect(fault.cpuThrottling().group, 'the last report is kept after heal').toBe(report.group);
  });

  it('heals when the "browser" died meanwhile, and heal without inject does nothing', async () => {
    const root = startTree();
    await waitForTree(root, 2);
    const fault = starve(10, root);
    await starve(10, root, 'never').heal();
    await fault.inject();
    const group = fault.cpuThrottling().group!;
    for (const pid of processTree(root).reverse()) process.kill(pid, 'SIGKILL');
    await fault.heal();
    expect(fs.existsSync(group)).toBe(false);
  });

  it('refuses a peer whose browser is not running', async () => {
    const fault = starve(10, undefined, 'stopped');
    await expect(fault.inject()).rejects.toThrow(/ERR_CONFIG: cannot starve peer stopped of CPU/);
  });

  it('the global-teardown sweep removes a leftover group of a dead runner, its processes moved to the root first', async () => {
    const c = findCpuController()!;
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    const dir = path.join(c.mountPoint, `harness-cpu-${gone.pid!}-1`);
    fs.mkdirSync(dir);
    const root = startTree();
    await waitForTree(root, 2);
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(root));
    expect(cgroupDirOf(root, c)).toBe(dir);
    const swept = await sweepLeftoverCpuGroups();
    expect(swept).toContain(dir);
    expect(fs.existsSync(dir)).toBe(false);
    expect(cgroupDirOf(root, c)).toBe(c.mountPoint);
  });
});
