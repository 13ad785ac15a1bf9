import fs from 'node:fs';
import path from 'node:path';
import { summarize, type Summary } from '../stats.js';
import { REPORT_PATH, type RecoveryRow } from './recovery-row.js';

export interface RecoveryCell {
  mechanism: RecoveryRow['mechanism'];
  cutMs: number;
  strategy: RecoveryRow['strategy'];
  recoverMs: Summary | undefined;
  detectMs: Summary | undefined;
  resentMiB: Summary | undefined;
  transferMs: Summary | undefined;
  /** Runs in which the path came back by ICE restart alone / needed a new peer. */
  byIceRestart: number;
  byNewPeer: number;
  runs: number;
}

const MIB = 1024 * 1024;

/** Groups rows by mechanism × cut × strategy, with medians. */
export function cells(rows: readonly RecoveryRow[]): RecoveryCell[] {
  const keys = [...new Set(rows.map((r) => `${r.mechanism}|${r.cutMs}|${r.strategy}`))];
  return keys.map((k) => {
    const [mechanism, cut, strategy] = k.split('|') as [RecoveryRow['mechanism'], string, RecoveryRow['strategy']];
    const rs = rows.filter((r) => r.mechanism === mechanism && r.cutMs === Number(cut) && r.strategy === strategy);
    const nums = (f: (r: RecoveryRow) => number | undefined) => rs.map(f).filter((v): v is number => v !== undefined);
    return {
      mechanism,
      cutMs: Number(cut),
      strategy,
      recoverMs: summarize(nums((r) => r.recoverMs)),
      detectMs: summarize(nums((r) => r.detectMs)),
      transferMs: summarize(nums((r) => r.transferMs)),
      resentMiB: summarize(nums((r) => (r.resentBytes === undefined ? undefined : r.resentBytes / MIB))),
      byIceRestart: rs.filter((r) => r.iceRestarts > 0 && r.peerRebuilds === 0).length,
      byNewPeer: rs.filter((r) => r.peerRebuilds > 0).length,
      runs: rs.length,
    };
  });
}

const s = (x: Summary | undefined, digits: number, scale = 1) => (x ? `${(x.median / scale).toFixed(digits)} (${(x.min / scale).toFixed(digits)}–${(x.max / scale).toFixed(digits)})` : 'n/a');

/** Markdown: one line per mechanism × cut, the two strategies side by side, and their ratio. */
export function formatRecoveryTable(all: readonly RecoveryCell[]): string {
  const lines = [
    '| path, cut | recover after heal, ICE restart (s) | recover after heal, new peer (s) | new peer / ICE restart | re-sent MiB, ICE restart | re-sent MiB, new peer | whole transfer, ICE restart (s) | whole transfer, new peer (s) | recovered by (restart / new peer runs) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const groups = [...new Set(all.map((c) => `${c.mechanism}|${c.cutMs}`))];
  for (const g of groups) {
    const [mechanism, cut] = g.split('|');
    const ice = all.find((c) => `${c.mechanism}|${c.cutMs}` === g && c.strategy === 'ice-restart');
    const peer = all.find((c) => `${c.mechanism}|${c.cutMs}` === g && c.strategy === 'new-peer');
    const ratio = ice?.recoverMs && peer?.recoverMs ? (peer.recoverMs.median / ice.recoverMs.median).toFixed(2) : 'n/a';
    const by = `${ice ? `${ice.byIceRestart}/${ice.byNewPeer} of ${ice.runs}` : '-'} · ${peer ? `${peer.byIceRestart}/${peer.byNewPeer} of ${peer.runs}` : '-'}`;
    lines.push(`| ${mechanism === 'proxy' ? 'relay (fault proxy)' : 'direct (netns)'}, ${Number(cut) / 1000} s | ${s(ice?.recoverMs, 2, 1000)} | ${s(peer?.recoverMs, 2, 1000)} | ${ratio} | ${s(ice?.resentMiB, 2)} | ${s(peer?.resentMiB, 2)} | ${s(ice?.transferMs, 1, 1000)} | ${s(peer?.transferMs, 1, 1000)} | ${by} |`);
  }
  return lines.join('\n');
}

export function writeRecoveryReport(rows: readonly RecoveryRow[]): { table: string; path: string } {
  const all = cells(rows);
  const table = formatRecoveryTable(all);
  fs.mkdirSync(path.dirname(REPORT_PATH), { recursive: true });
  fs.writeFileSync(REPORT_PATH, JSON.stringify({ at: new Date().toISOString(), rows, cells: all }, null, 2));
  return { table, path: REPORT_PATH };
}
