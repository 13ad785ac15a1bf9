import { describe, expect, it } from 'vitest';
import { describeGrowth, processRole, sampleTreeRss, type RssSample } from '../../harness/probes/rss-sampler.js';
import { processTree } from '../../harness/process/process-tree.js';

const row = (t: number, mib: number, kinds: RssSample['kinds'][string], roles: Record<string, number>): RssSample => ({ t, mib: { rx: mib }, kinds: { rx: kinds }, roles: { rx: roles } });

describe('describeGrowth', () => {
  it('splits the growth from the first sample to the peak by kind and by process role, largest first', () => {
    const timeline = [
      row(0, 300, { anon: 200, file: 90, shmem: 10 }, { browser: 150, renderer: 100, 'gpu-process': 50 }),
      row(500, 450, { anon: 220, file: 91, shmem: 139 }, { browser: 230, renderer: 170, 'gpu-process': 50 }),
      row(1000, 320, { anon: 210, file: 90, shmem: 20 }, { browser: 160, renderer: 110, 'gpu-process': 50 }),
    ];
    expect(describeGrowth(timeline, 'rx')).toBe('anon +20, shmem +129, file +1; browser +80, renderer +70 (MiB, first sample → peak at 0.5 s)');
  });
  it('says so when there is nothing to compare', () => {
    expect(describeGrowth([row(0, 1, { anon: 1, file: 0, shmem: 0 }, {})], 'rx')).toBe('not enough samples');
  });
});

describe('sampling a real process tree', () => {
  it('reads this process: a role, resident memory split by kind that adds up to its RSS', async () => {
    expect(processTree(process.pid)[0]).toBe(process.pid);
    expect(processRole(process.pid)).toBe('browser'); // no --type=: a main process
    const sampler = sampleTreeRss({ self: process.pid }, 20);
    await new Promise((r) => setTimeout(r, 60));
    const peaks = sampler.stop();
    const last = sampler.timeline.at(-1)!;
    const k = last.kinds.self!;
    expect(peaks.self!.peakMiB).toBeGreaterThan(10);
    expect(Math.abs(k.anon + k.file + k.shmem - last.mib.self!)).toBeLessThan(1);
    expect(Object.values(last.roles.self!).reduce((a, b) => a + b, 0)).toBeCloseTo(last.mib.self!, 0);
  });
});
