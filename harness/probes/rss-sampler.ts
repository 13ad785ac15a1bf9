import fs from 'node:fs';
import { childrenByParent, cmdline, processTree } from '../process/process-tree.js';

const KIB = 1024;
const MIB = 1024 * 1024;

/** What a process's resident memory is made of (/proc/<pid>/status), bytes. */
interface Resident {
  rss: number;
  /** Heap and other private memory. */
  anon: number;
  /** Mapped files: the binary, libraries, fonts. */
  file: number;
  /** Shared memory: Chromium moves data between its processes through it; counted in EVERY process that maps it. */
  shmem: number;
}

const NOTHING: Resident = { rss: 0, anon: 0, file: 0, shmem: 0 };

function resident(pid: number): Resident {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return NOTHING; // exited between readdir and read
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * KIB;
  return { rss: kib('VmRSS'), anon: kib('RssAnon'), file: kib('RssFile'), shmem: kib('RssShmem') };
}

/**
 * A short role for a browser process: Chromium's `--type=` (renderer, gpu-process, utility…),
 * Firefox's content-process type (tab, socket, rdd…), `browser` for the main process.
 */
export function processRole(pid: number): string {
  const argv = cmdline(pid).flatMap((a) => a.split(' ')).filter((a) => a !== '');
  if (argv.length === 0) return 'gone';
  if (argv.includes('-contentproc')) return `content:${argv.at(-1) ?? '?'}`;
  const type = argv.find((a) => a.startsWith('--type='))?.slice('--type='.length);
  if (type === undefined) return 'browser';
  // e.g. storage.mojom.StorageService → storage
  const subtype = argv.find((a) => a.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length).split('.')[0];
  return subtype ? `${type}:${subtype}` : type;
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
  /** Per tree, the same sum split by kind of memory, MiB (where growth comes from). */
  kinds: Record<string, { anon: number; file: number; shmem: number }>;
  /** Per tree, summed RSS by process role (`processRole`), MiB: which process grows. */
  roles: Record<string, Record<string, number>>;
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
    const row: RssSample = { t: Date.now() - started, mib: {}, kinds: {}, roles: {} };
    const round = (bytes: number) => Math.round((bytes / MIB) * 10) / 10;
    for (const [name, pid] of Object.entries(roots)) {
      const tree = processTree(pid, children);
      const sum = { rss: 0, anon: 0, file: 0, shmem: 0 };
      const roles: Record<string, number> = {};
      for (const p of tree) {
        const r = resident(p);
        for (const k of ['rss', 'anon', 'file', 'shmem'] as const) sum[k] += r[k];
        const role = processRole(p);
        roles[role] = (roles[role] ?? 0) + r.rss;
      }
      const mib = sum.rss / MIB;
      row.mib[name] = round(sum.rss);
      row.kinds[name] = { anon: round(sum.anon), file: round(sum.file), shmem: round(sum.shmem) };
      row.roles[name] = Object.fromEntries(Object.entries(roles).map(([role, bytes]) => [role, round(bytes)]));
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

/**
 * Where one tree's growth went, from its first sample to its peak: by kind of memory and by
 * process role, in MiB, e.g. "anon +20, shmem +90, file +1; renderer +60, browser +45".
 */
export function describeGrowth(timeline: readonly RssSample[], name: string): string {
  const rows = timeline.filter((r) => r.mib[name] !== undefined);
  if (rows.length < 2) return 'not enough samples';
  const first = rows[0]!;
  const peak = rows.reduce((a, b) => (b.mib[name]! > a.mib[name]! ? b : a));
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(0)}`;
  const kinds = (['anon', 'shmem', 'file'] as const).map((k) => `${k} ${signed((peak.kinds[name]?.[k] ?? 0) - (first.kinds[name]?.[k] ?? 0))}`).join(', ');
  const roleNames = new Set([...Object.keys(first.roles[name] ?? {}), ...Object.keys(peak.roles[name] ?? {})]);
  const roles = [...roleNames]
    .map((role) => ({ role, delta: (peak.roles[name]?.[role] ?? 0) - (first.roles[name]?.[role] ?? 0) }))
    .filter((r) => Math.abs(r.delta) >= 1)
    .sort((a, b) => b.delta - a.delta)
    .map((r) => `${r.role} ${signed(r.delta)}`)
    .join(', ');
  return `${kinds}; ${roles || 'no role changed by 1 MiB'} (MiB, first sample → peak at ${(peak.t / 1000).toFixed(1)} s)`;
}
