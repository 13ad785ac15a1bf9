import { describe, expect, it } from 'vitest';
import type { ProgressSample } from '../../harness/probes/progress-recorder.js';
import { throughputDuringFaults } from '../../harness/report/timeline-data.js';
import { timelineSvg } from '../../harness/report/timeline-svg.js';

const MIB = 1024 * 1024;
const sample = (peer: string, t: number, mib: number, linkState = 'connected'): ProgressSample => ({ peer, t, verifiedBytes: mib * MIB, totalBytes: 20 * MIB, phase: 'receiving', linkState });

// Receiver: 1 MiB/s, stalls from 5 s to 8 s (fault 5–8 s), then continues.
const samples = [
  ...[0, 1, 2, 3, 4, 5].map((s) => sample('receiver', s * 1000, s)),
  sample('receiver', 6000, 5, 'reconnecting'),
  sample('receiver', 7000, 5, 'reconnecting'),
  sample('receiver', 8000, 5, 'reconnecting'),
  sample('receiver', 9000, 6),
  sample('sender', 0, 0),
  sample('sender', 9000, 6),
];
const start = 1_700_000_000_000;
const faults = [{ name: 'turn-proxy-toxics', params: { blackhole: true }, injectedAtMs: start + 5000, healedAtMs: start + 8000 }];

describe('timeline', () => {
  it('measures verified bytes per second across the fault window', () => {
    expect(throughputDuringFaults({ startedAtMs: start, samples }, faults)).toBe(0);
    expect(throughputDuringFaults({ startedAtMs: start, samples }, [{ ...faults[0]!, injectedAtMs: start + 3000 }])).toBeCloseTo((2 * MIB) / 5, 0);
    expect(throughputDuringFaults({ startedAtMs: start, samples }, [])).toBeUndefined();
  });

  it('draws a well-formed SVG with both peers, state bands and the fault window', () => {
    const svg = timelineSvg({ startedAtMs: start, samples }, faults, 'NET-1: cut & restore <3 s>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('NET-1: cut &#38; restore &#60;3 s&#62;');
    // The fault window starts at 5 s of 9 s: x = 64 + 5/9 * 736.
    expect(svg).toContain(`x1="${(64 + (5 / 9) * 736).toFixed(1)}"`);
    expect(svg).toContain('turn-proxy-toxics healed');
    expect(svg).toContain('fill="#f2b01e"'); // reconnecting band
    // The sender has no samples between 0 and 9 s: its line is broken there, not bridged.
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    // Every opened element is closed (a cheap well-formedness check on our own output).
    const opened = (svg.match(/<(svg|line|text|title|rect|polyline)\b[^>]*(?<!\/)>/g) ?? []).length;
    const closed = (svg.match(/<\/(svg|line|text|title|rect|polyline)>/g) ?? []).length;
    expect(closed).toBe(opened);
  });
});
