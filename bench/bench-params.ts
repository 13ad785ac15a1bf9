import { BUFFERED_HIGH_BYTES, BUFFERED_LOW_BYTES, DEFAULT_CHUNK_BYTES } from '../app-under-test/config.js';
import { CHUNK_FRAME_HEADER_BYTES } from '../app-under-test/transfer/protocol.js';
import { HarnessError } from '../harness/errors.js';
import { parseBenchPairs, type BenchPair } from './bench-pairs.js';

export const MIB = 1024 * 1024;

/** Everything the bench is run with; all of it goes into reports/bench.json. */
export type BenchPhase = 'hash' | 'direct' | 'relay';
const ALL_PHASES: readonly BenchPhase[] = ['hash', 'direct', 'relay'];

export interface BenchParams {
  /** Which parts run (BENCH_PHASES=hash,direct,relay by default). */
  phases: BenchPhase[];
  /** Sender→receiver engine pairs to measure (BENCH_PAIRS; every pair by default). */
  pairs: BenchPair[];
  fileMiB: number;
  runs: number;
  /** Size of the one buffer both BLAKE3 figures hash. */
  hashMiB: number;
  headless: boolean;
  /** The app's chunk payload; the raw blast sends frames of this plus the app's header. */
  chunkBytes: number;
  frameBytes: number;
  bufferedHighBytes: number;
  bufferedLowBytes: number;
  rssSampleIntervalMs: number;
  /** One transfer (app or raw) must finish within this. */
  transferTimeoutMs: number;
}

/** The slowest rate a transfer may run at before it counts as hung (MiB/s), plus a fixed allowance. */
const SLOWEST_PLAUSIBLE_MIB_PER_S = 0.5;
const TRANSFER_FIXED_ALLOWANCE_MS = 60_000;
const RSS_SAMPLE_INTERVAL_MS = 200;

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new HarnessError('ERR_CONFIG', `${name}=${raw} is not a positive integer`, { context: { [name]: raw }, hint: `Unset ${name} for the default (${fallback}).` });
  }
  return value;
}

function phases(env: NodeJS.ProcessEnv): BenchPhase[] {
  const raw = env.BENCH_PHASES;
  if (raw === undefined || raw.trim() === '') return [...ALL_PHASES];
  const asked = raw.split(',').map((p) => p.trim());
  const unknown = asked.filter((p) => !(ALL_PHASES as readonly string[]).includes(p));
  if (unknown.length > 0 || asked.length === 0) {
    throw new HarnessError('ERR_CONFIG', `BENCH_PHASES=${raw} names unknown phase(s): ${unknown.join(', ')}`, { hint: `Use a comma-separated subset of ${ALL_PHASES.join(',')}.` });
  }
  return ALL_PHASES.filter((p) => asked.includes(p));
}

export function readBenchParams(env: NodeJS.ProcessEnv = process.env): BenchParams {
  const fileMiB = positiveInt(env, 'BENCH_FILE_MIB', 256);
  const timeoutS = positiveInt(env, 'BENCH_TRANSFER_TIMEOUT_S', 0); // 0: derived from the file size
  return {
    phases: phases(env),
    pairs: parseBenchPairs(env.BENCH_PAIRS),
    fileMiB,
    runs: positiveInt(env, 'BENCH_RUNS', 3),
    hashMiB: positiveInt(env, 'BENCH_HASH_MIB', 64),
    headless: env.BENCH_HEADED !== '1',
    chunkBytes: DEFAULT_CHUNK_BYTES,
    frameBytes: DEFAULT_CHUNK_BYTES + CHUNK_FRAME_HEADER_BYTES,
    bufferedHighBytes: BUFFERED_HIGH_BYTES,
    bufferedLowBytes: BUFFERED_LOW_BYTES,
    rssSampleIntervalMs: RSS_SAMPLE_INTERVAL_MS,
    transferTimeoutMs: timeoutS > 0 ? timeoutS * 1000 : TRANSFER_FIXED_ALLOWANCE_MS + Math.ceil((fileMiB / SLOWEST_PLAUSIBLE_MIB_PER_S) * 1000),
  };
}
