import fs from 'node:fs';
import path from 'node:path';
import type { SelectedPair } from '../harness/probes/rtc-capture.js';
import { BASELINE_PAIR, pairLabel } from './bench-pairs.js';
import type { BenchParams } from './bench-params.js';
import type { HashBenchResult } from './hash-bench.js';
import type { MachineInfo } from './machine-info.js';
import type { BenchPath } from './path-check.js';
import type { RssPeaks } from '../harness/probes/rss-sampler.js';
import { summarize, type Summary } from './stats.js';

/** Everything one run of one path measured; a failed run keeps what it got and says why. */
export interface PathRun {
  /** Sender→receiver engines, e.g. `chromium→firefox` (bench-pairs.ts). */
  pair: string;
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
  pair: string;
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
  /** One entry per pair × path measured. */
  paths: PathFigures[];
  /** App throughput per pair side by side, each against chromium→chromium. */
  pairs: PairComparison[];
  /** Pairs asked for whose browser is not here, and why (they never count as measured). */
  skippedPairs: { pair: string; reason: string }[];
  runs: PathRun[];
  errors: string[];
}

function pick(runs: PathRun[], get: (r: PathRun) => number | undefined): Summary | undefined {
  return summarize(runs.map(get).filter((v): v is number => v !== undefined));
}

function growth(peaks: RssPeaks | undefined): number | undefined {
  return peaks && peaks.peakMiB - peaks.startMiB;
}

export function pathFigures(pair: string, p: BenchPath, all: PathRun[], describe: (pairs: SelectedPair[]) => string): PathFigures {
  const runs = all.filter((r) => r.pair === pair && r.path === p);
  const seen = (get: (r: PathRun) => SelectedPair[] | undefined) => [...new Set(runs.map(get).filter((x): x is SelectedPair[] => x !== undefined).map(describe))];
  return {
    pair,
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

/** One pair's app throughput per path (median MiB/s), and its ratio to the baseline pair's. */
export interface PairComparison {
  pair: string;
  appMiBps: Partial<Record<BenchPath, number>>;
  rawMiBps: Partial<Record<BenchPath, number>>;
  /** This pair's app median ÷ the baseline pair's app median, same path (absent when either did not run). */
  appRatioToBaseline: Partial<Record<BenchPath, number>>;
}

export function comparePairs(pairs: readonly string[], baseline: string, figures: readonly PathFigures[]): PairComparison[] {
  const median = (pair: string, p: BenchPath, get: (f: PathFigures) => { median: number } | undefined) => {
    const f = figures.find((x) => x.pair === pair && x.path === p);
    return f && get(f)?.median;
  };
  const paths = [...new Set(figures.map((f) => f.path))];
  return pairs.map((pair) => {
    const c: PairComparison = { pair, appMiBps: {}, rawMiBps: {}, appRatioToBaseline: {} };
    for (const p of paths) {
      const app = median(pair, p, (f) => f.appMiBps);
      const raw = median(pair, p, (f) => f.rawMiBps);
      const base = median(baseline, p, (f) => f.appMiBps);
      if (app !== undefined) c.appMiBps[p] = app;
      if (raw !== undefined) c.rawMiBps[p] = raw;
      if (app !== undefined && base !== undefined && base > 0) c.appRatioToBaseline[p] = app / base;
    }
    return c;
  });
}

/** The side-by-side table: one line per pair, app (raw) MiB/s and ratio to the baseline per path. */
export function formatPairTable(comparisons: readonly PairComparison[], baseline: string, paths: readonly BenchPath[]): string[] {
  const cell = (v: number | undefined, digits: number, width: number) => (v === undefined ? '—' : v.toFixed(digits)).padStart(width);
  const head = paths.map((p) => `${`${p} app`.padStart(11)}${'raw'.padStart(8)}${'÷ base'.padStart(8)}`).join('');
  const lines = [`PAIRS (sender→receiver), medians in MiB/s; ÷ = app over ${baseline}'s app, same path`, `  ${'pair'.padEnd(20)}${head}`];
  for (const c of comparisons) {
    lines.push(`  ${c.pair.padEnd(20)}${paths.map((p) => `${cell(c.appMiBps[p], 2, 11)}${cell(c.rawMiBps[p], 2, 8)}${cell(c.appRatioToBaseline[p], 2, 8)}`).join('')}`);
  }
  return lines;
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
    `  file ${p.fileMiB} MiB × ${p.runs} run(s) per pair and path · ${m.nproc} CPU(s) · ${m.chromium}${m.firefox ? ` · ${m.firefox}` : ''} · node ${m.node} · coturn ${r.turnRuntime}`,
    `  load average (1/5/15 min) at start ${m.loadAvgAtStart.join(' / ')}, at end ${r.loadAvgAtEnd.join(' / ')} · took ${(r.durationS / 60).toFixed(1)} min · MiB = 1,048,576 bytes`,
    '',
    `  ${''.padEnd(34)}${'median'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}  ${'unit'.padEnd(6)}   n`,
  ];
  for (const f of r.paths) {
    lines.push(`${f.pair} ${f.path.toUpperCase()} path`);
    lines.push(row('app end-to-end', f.appMiBps, 'MiB/s', 2, `${f.appPathSeen.join('; ')}${f.hashVerifiedRuns.length ? ` · BLAKE3 ok (run ${f.hashVerifiedRuns.join(', ')})` : ''}`));
    lines.push(row('raw DataChannel blast', f.rawMiBps, 'MiB/s', 2, f.rawPathSeen.join('; ')));
    lines.push(row('app / raw (per-run ratio)', f.appToRaw, '×', 2));
    lines.push(row('raw connect (offer → open)', f.rawConnectMs, 'ms', 0));
    lines.push(row('receiver peak RSS (app transfer)', f.receiverPeakRssMiB, 'MiB', 0, `file ${p.fileMiB} MiB; summed over the browser's processes`));
    lines.push(row('  growth during the transfer', f.receiverRssGrowthMiB, 'MiB', 0, 'peak − RSS when the receiver opened the link'));
    lines.push(row('sender peak RSS (app transfer)', f.senderPeakRssMiB, 'MiB', 0));
    lines.push(row('  growth during the transfer', f.senderRssGrowthMiB, 'MiB', 0));
  }
  if (r.pairs.length > 0) lines.push('', ...formatPairTable(r.pairs, pairLabel(BASELINE_PAIR), [...new Set(r.paths.map((f) => f.path))]));
  for (const s of r.skippedPairs) lines.push(`  ${s.pair.padEnd(20)}SKIPPED: ${s.reason}`);
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
