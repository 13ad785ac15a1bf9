import { describe, expect, it } from 'vitest';
import type { RecoveryRow } from '../../bench/recovery/recovery-row.js';
import { cells, formatRecoveryTable } from '../../bench/recovery/summarise.js';

const row = (o: Partial<RecoveryRow>): RecoveryRow => ({
  mechanism: 'proxy',
  strategy: 'ice-restart',
  cutMs: 3000,
  run: 1,
  detectMs: 2500,
  recoverMs: 1000,
  resentBytes: 0,
  transferMs: 20_000,
  iceRestarts: 1,
  peerRebuilds: 0,
  loadAvg1m: 1,
  ...o,
});

describe('recovery bench summary', () => {
  it('puts the two strategies side by side with medians and the ratio', () => {
    const rows = [
      row({ recoverMs: 3000 }),
      row({ recoverMs: 1000, run: 2 }),
      row({ recoverMs: 2000, run: 3 }),
      row({ strategy: 'new-peer', recoverMs: 1000, resentBytes: 3 * 1048576, iceRestarts: 0, peerRebuilds: 1 }),
      row({ strategy: 'new-peer', recoverMs: 1000, resentBytes: 1048576, iceRestarts: 0, peerRebuilds: 1, run: 2 }),
    ];
    const c = cells(rows);
    const ice = c.find((x) => x.strategy === 'ice-restart')!;
    const peer = c.find((x) => x.strategy === 'new-peer')!;
    expect(ice.recoverMs?.median).toBe(2000);
    expect(ice.byIceRestart).toBe(3);
    expect(peer.byNewPeer).toBe(2);
    expect(peer.resentMiB?.median).toBe(2);
    const table = formatRecoveryTable(c);
    expect(table).toContain('| relay (fault proxy), 3 s | 2.00 (1.00–3.00) | 1.00 (1.00–1.00) | 0.50 |');
  });

  it('says n/a where a strategy produced no figure', () => {
    const table = formatRecoveryTable(cells([row({ mechanism: 'netns', recoverMs: undefined })]));
    expect(table).toContain('| direct (netns), 3 s | n/a | n/a | n/a |');
  });
});
