import fs from 'node:fs';

const KIB = 1024;
const MIB = 1024 * 1024;

/** Parent PID from /proc/<pid>/stat; the command name (field 2) may hold spaces, so count from its ')'. */
function parentPid(pid: string): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // exited between readdir and read
  }
}

/** Parent PID → child PIDs, for every process alive right now. */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentPid(entry);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  return children;
}

/** `root` and its descendants (Chromium: browser → zygotes → renderers, GPU, network, storage…). */
export function processTree(root: number, children = childrenByParent()): number[] {
  const tree: number[] = [];
  for (const queue = [root]; queue.length > 0; ) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * KIB : 0;
  } catch {
    return 0;
  }
}

/**
 * Summed VmRSS of a process tree. Pages shared between the processes (Chromium's binary, shared
 * memory between renderer and browser) count once per process, so this is an upper bound.
 */
export function treeRssBytes(root: number, children = childrenByParent()): number {
  return processTree(root, children).reduce((sum, pid) => sum + rssBytes(pid), 0);
}

export interface RssPeaks {
  /** Summed RSS at the first sample (before the transfer started), MiB. */
  startMiB: number;
  peakMiB: number;
  samples: number;
  /** Processes in the tree at the peak. */
  processesAtPeak: number;
}

export interface RssSample {
  /** ms since sampling started. */
  t: number;
  /** Summed RSS per tree, MiB. */
  mib: Record<string, number>;
}

/**
 * Samples the summed RSS of each named tree every `intervalMs` until stop() returns the peaks
 * (bench: RSS beside throughput; RES-2: peak memory beside file size). `timeline` keeps every sample.
 */
export function sampleTreeRss(roots: Record<string, number>, intervalMs: number): { stop(): Record<string, RssPeaks>; readonly timeline: readonly RssSample[] } {
  const peaks: Record<string, RssPeaks> = {};
  const timeline: RssSample[] = [];
  const started = Date.now();
  const sample = (): void => {
    const children = childrenByParent(); // one scan of /proc for all the trees
    const row: RssSample = { t: Date.now() - started, mib: {} };
    for (const [name, pid] of Object.entries(roots)) {
      const tree = processTree(pid, children);
      const mib = tree.reduce((sum, p) => sum + rssBytes(p), 0) / MIB;
      row.mib[name] = Math.round(mib * 10) / 10;
      const p = (peaks[name] ??= { startMiB: mib, peakMiB: mib, samples: 0, processesAtPeak: tree.length });
      if (mib > p.peakMiB) Object.assign(p, { peakMiB: mib, processesAtPeak: tree.length });
      p.samples += 1;
    }
    timeline.push(row);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    timeline,
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}
