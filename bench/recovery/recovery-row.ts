import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One measured recovery: one strategy, one mechanism, one cut. */
export interface RecoveryRow {
  /** `proxy`: relay path through the fault proxy (blackhole); `netns`: direct path, the sender's veth cut. */
  mechanism: 'proxy' | 'netns';
  strategy: 'ice-restart' | 'new-peer';
  cutMs: number;
  run: number;
  /** Fault injected → the app showed the link not connected. */
  detectMs: number | undefined;
  /** Fault healed → the first newly verified byte at the receiver. */
  recoverMs: number | undefined;
  resentBytes: number | undefined;
  /** First verified byte → whole file verified at the receiver: what the cut cost in all (re-sending included). */
  transferMs: number | undefined;
  /** How the receiver's app says the path came back (data-ice-restarts / data-peer-rebuilds). */
  iceRestarts: number;
  peerRebuilds: number;
  loadAvg1m: number;
  error?: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ROWS_PATH = path.join(repoRoot, 'reports', 'bench-recovery', 'rows.jsonl');
export const REPORT_PATH = path.join(repoRoot, 'reports', 'bench-recovery.json');

export function appendRow(row: RecoveryRow): void {
  fs.mkdirSync(path.dirname(ROWS_PATH), { recursive: true });
  fs.appendFileSync(ROWS_PATH, `${JSON.stringify(row)}\n`);
}

export function readRows(): RecoveryRow[] {
  if (!fs.existsSync(ROWS_PATH)) return [];
  return fs
    .readFileSync(ROWS_PATH, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RecoveryRow);
}
