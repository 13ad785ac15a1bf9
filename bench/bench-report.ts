import fs from 'node:fs';
import path from 'node:path';
import type { SelectedPair } from '../harness/probes/rtc-capture.js';
import type { BenchParams } from './bench-params.js';
import type { HashBenchResult } from './hash-bench.js';
import type { MachineInfo } from './machine-info.js';
import type { BenchPath } from './path-check.js';
import type { RssPeaks } from '../harness/probes/rss-sampler.js';
import { summarize, type Summary } from './stats.js';

/** Everything one run of one path measured; a failed run keeps what it got and says why. */
export interface PathRun {
  path: BenchPath;
  run: number;
  /** 1-minute load average when the run began: the first thing to look at when a run is an outlier. */
  loadAvg1m: number;
  app?: { mibPerSecond: number; transferMs: number; hashVerified: boolean | undefined; senderPairs: SelectedPair[]; receiverPairs: SelectedPair[]; rss: { sender?: RssPeaks; receiver?: RssPeaks } };
  raw?: { mibPerSecond: number; transferMs: number; connectMs: number; wireBytes: number; senderPairs: SelectedPair[]; receiverPairs: SelectedPair[] };
  /** app MiB/s ÷ raw MiB/s of this run (same two browser processes). */
  appToRaw?: number;
  error?: string;
}

export interface PathFigures {
  path: BenchPath;
  appMiBps?: Summary;
  rawMiBps?: Summary;
  /** Summary of the per-run ratios, not the ratio of the medians: each run pairs app and raw in the same processes. */
  appToRaw?: Summary;
  rawConnectMs?: Summary;
  receiverPeakRssMiB?: Summary;
  senderPeakRssMiB?: Summary;
  /**
   * Peak minus the RSS just before the transfer, per run. Summed RSS counts shared pages (the
   * Chromium binary, shared memory) once per process; the difference cancels most of that.
   */
  receiverRssGrowthMiB?: Summary;
  senderRssGrowthMiB?: Summary;
  /** Candidate pair types the browsers reported, app and raw. */
  appPathSeen: string[];
  rawPathSeen: string[];
  hashVerifiedRuns: number[];
}

export interface BenchReport {
  date: string;
  command: string;
  params: BenchParams;
  machine: MachineInfo;
  turnRuntime: string;
  durationS: number;
  loadAvgAtEnd: number[];
  hash?: HashBenchResult;
  paths: PathFigures[];
  runs: PathRun[];
  errors: string[];
}

function pick(runs: PathRun[], get: (r: PathRun) => number | undefined): Summary | undefined {
  return summarize(runs.map(get).filter((v): v is number => v !== undefined));
}

function growth(peaks: RssPeaks | undefined): number | undefined {
  return peaks && peaks.peakMiB - peaks.startMiB;
}

export function pathFigures(p: BenchPath, all: PathRun[], describe: (pairs: SelectedPair[]) => string): PathFigures {
  const runs = all.filter((r) => r.path === p);
  const seen = (get: (r: PathRun) => SelectedPair[] | undefined) => [...new Set(runs.map(get).filter((x): x is SelectedPair[] => x !== undefined).map(describe))];
  return {
    path: p,
    appMiBps: pick(runs, (r) => r.app?.mibPerSecond),
    rawMiBps: pick(runs, (r) => r.raw?.mibPerSecond),
    appToRaw: pick(runs, (r) => r.appToRaw),
    rawConnectMs: pick(runs, (r) => r.raw?.connectMs),
    receiverPeakRssMiB: pick(runs, (r) => r.app?.rss.receiver?.peakMiB),
    senderPeakRssMiB: pick(runs, (r) => r.app?.rss.sender?.peakMiB),
    receiverRssGrowthMiB: pick(runs, (r) => growth(r.app?.rss.receiver)),
    senderRssGrowthMiB: pick(runs, (r) => growth(r.app?.rss.sender)),
    appPathSeen: seen((r) => r.app?.receiverPairs),
    rawPathSeen: seen((r) => r.raw?.receiverPairs),
    hashVerifiedRuns: runs.filter((r) => r.app?.hashVerified).map((r) => r.run),
  };
}

function row(label: string, s: Summary | undefined, unit: string, digits: number, note = ''): string {
  const f = (v: number) => v.toFixed(digits).padStart(9);
  const figures = s ? `${f(s.median)}${f(s.min)}${f(s.max)}  ${unit.padEnd(6)} ${String(s.n).padStart(3)}` : `${'—'.padStart(9)}${''.padStart(18)}  ${unit.padEnd(6)}   0`;
  return `  ${label.padEnd(34)}${figures}${note ? `   ${note}` : ''}`;
}

/** The human-readable table printed at the end. */
export function formatTable(r: BenchReport): string {
  const { params: p, machine: m } = r;
  const lines = [
    '',
    `WebRTC file transfer bench — ${r.date}`,
    `  file ${p.fileMiB} MiB × ${p.runs} run(s) per path · ${m.nproc} CPU(s) · ${m.chromium} · node ${m.node} · coturn ${r.turnRuntime}`,
    `  load average (1/5/15 min) at start ${m.loadAvgAtStart.join(' / ')}, at end ${r.loadAvgAtEnd.join(' / ')} · took ${(r.durationS / 60).toFixed(1)} min · MiB = 1,048,576 bytes`,
    '',
    `  ${''.padEnd(34)}${'median'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}  ${'unit'.padEnd(6)}   n`,
  ];
  for (const f of r.paths) {
    lines.push(`${f.path.toUpperCase()} path`);
    lines.push(row('app end-to-end', f.appMiBps, 'MiB/s', 2, `${f.appPathSeen.join('; ')}${f.hashVerifiedRuns.length ? ` · BLAKE3 ok (run ${f.hashVerifiedRuns.join(', ')})` : ''}`));
    lines.push(row('raw DataChannel blast', f.rawMiBps, 'MiB/s', 2, f.rawPathSeen.join('; ')));
    lines.push(row('app / raw (per-run ratio)', f.appToRaw, '×', 2));
    lines.push(row('raw connect (offer → open)', f.rawConnectMs, 'ms', 0));
    lines.push(row('receiver peak RSS (app transfer)', f.receiverPeakRssMiB, 'MiB', 0, `file ${p.fileMiB} MiB; summed over the browser's processes`));
    lines.push(row('  growth during the transfer', f.receiverRssGrowthMiB, 'MiB', 0, 'peak − RSS when the receiver opened the link'));
    lines.push(row('sender peak RSS (app transfer)', f.senderPeakRssMiB, 'MiB', 0));
    lines.push(row('  growth during the transfer', f.senderRssGrowthMiB, 'MiB', 0));
  }
  if (r.hash) {
    const h = r.hash;
    lines.push(`BLAKE3 of one ${h.bufferMiB} MiB buffer (idle browser)`);
    lines.push(row('app worker, one call', h.workerMiBps, 'MiB/s', 0, 'dist/app/hash-worker.js via comlink, buffer transferred'));
    lines.push(row('hash-wasm on the main thread', h.mainThreadMiBps, 'MiB/s', 0, 'same digest, same buffer'));
    lines.push(row(`app worker, one call per ${h.chunkBytes / 1024} KiB`, h.workerChunkedMiBps, 'MiB/s', 0, 'all calls in flight, as for frames'));
  }
  if (r.errors.length > 0) {
    lines.push('', `${r.errors.length} ERROR(S) — figures above leave these runs out:`);
    for (const e of r.errors) lines.push(`  ${e.split('\n')[0]}`);
  }
  lines.push('');
  return lines.join('\n');
}

export function writeReport(r: BenchReport, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}
