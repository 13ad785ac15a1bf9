import { describe, expect, it } from 'vitest';
import { PathProgress } from '../../app-under-test/net/path-progress.js';

/** A peer connection whose getStats returns the next row set on each call (what each engine reports, measured). */
function pcReporting(...samples: object[][]): RTCPeerConnection {
  let i = 0;
  return { getStats: async () => new Map(samples[Math.min(i++, samples.length - 1)]!.map((r, k) => [String(k), r])) } as unknown as RTCPeerConnection;
}

describe('PathProgress', () => {
  it('Chromium: the transport row’s bytesReceived', async () => {
    const p = new PathProgress(pcReporting([{ type: 'transport', bytesReceived: 100 }], [{ type: 'transport', bytesReceived: 100 }], [{ type: 'transport', bytesReceived: 180 }]));
    expect(await p.deliveredSinceLastSample()).toBe(false); // baseline
    expect(await p.deliveredSinceLastSample()).toBe(false); // silence
    expect(await p.deliveredSinceLastSample()).toBe(true);
  });

  it('Firefox: a transport row without bytesReceived, so the selected candidate pair’s counter', async () => {
    const rows = (selected: number, other: number) => [
      { type: 'transport' },
      { type: 'candidate-pair', bytesReceived: selected, nominated: true, selected: true },
      { type: 'candidate-pair', bytesReceived: other },
      { type: 'data-channel', bytesReceived: 0 },
    ];
    const p = new PathProgress(pcReporting(rows(1000, 5), rows(1000, 9), rows(1500, 9)));
    expect(await p.deliveredSinceLastSample()).toBe(false);
    expect(await p.deliveredSinceLastSample(), 'only a pair not in use grew: still silence').toBe(false);
    expect(await p.deliveredSinceLastSample()).toBe(true);
  });

  it('no counter at all: never claims delivery (liveness falls back to messages)', async () => {
    const p = new PathProgress(pcReporting([{ type: 'data-channel', bytesReceived: 10 }], [{ type: 'data-channel', bytesReceived: 20 }]));
    expect(await p.deliveredSinceLastSample()).toBe(false);
    expect(await p.deliveredSinceLastSample()).toBe(false);
  });
});
