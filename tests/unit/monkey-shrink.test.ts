import { describe, expect, it } from 'vitest';
import type { MachineFacts } from '../../harness/faults/needs.js';
import type { MonkeySchedule } from '../../harness/monkey/schedule.js';
import { drawSchedule } from '../../harness/monkey/schedule.js';
import { shrinkSchedule } from '../../harness/monkey/shrink.js';

const everything: MachineFacts = { platform: 'linux', root: true, hasBinary: () => true, cpuControllerMissing: () => undefined };
const env = { machine: everything, engines: { sender: 'chromium', receiver: 'chromium' }, turnManaged: true } as const;

/** A drawn 90 s schedule (seed 1: 7 faults, none kill-signaling) with a kill-signaling of 8 s planted among them. */
function failingSchedule(): MonkeySchedule {
  const s = drawSchedule(1, 90_000, env);
  const others = s.steps.filter((st) => st.fault !== 'kill-signaling');
  return { ...s, steps: [...others.slice(0, 3), { name: 'x-kill-signaling', fault: 'kill-signaling', atMs: 20_000, durationMs: 8_000, params: { signal: 'SIGKILL' }, groups: ['signaling'] }, ...others.slice(3)] };
}

describe('shrinkSchedule', () => {
  it('"fails iff it holds kill-signaling for ≥ 1.5 s": shrinks to that one fault at 2 s (8 → 4 → 2; 1 s no longer fails)', async () => {
    const failing = failingSchedule();
    expect(failing.steps.length).toBe(8);
    const runs: MonkeySchedule[] = [];
    const fails = async (s: MonkeySchedule) => {
      runs.push(s);
      return s.steps.some((st) => st.fault === 'kill-signaling' && (st.durationMs ?? 0) >= 1_500);
    };
    const r = await shrinkSchedule(failing, fails);
    expect(r.smallest.steps.map((s) => [s.name, s.durationMs])).toEqual([['x-kill-signaling', 2_000]]);
    expect(await fails(r.smallest)).toBe(true);
    expect(r.budgetExhausted).toBe(false);
    expect(r.tried.length).toBe(runs.length - 1);
    // It really tried the smaller ones that pass: the fault dropped, and 1 s.
    expect(r.tried.some((t) => !t.failed && t.steps.length === 0)).toBe(true);
    expect(r.tried.some((t) => !t.failed && t.steps[0] === 'x-kill-signaling@20000+1000ms')).toBe(true);
    // The schedule's other fields (seed, pace, file) are kept: the shrunk one replays the same transfer.
    expect({ ...r.smallest, steps: [] }).toEqual({ ...failing, steps: [] });
  });

  it('keeps every fault a failure needs: "fails iff kill-turn AND a tab-crash are both there"', async () => {
    const s = drawSchedule(7, 90_000, env);
    const base: MonkeySchedule = {
      ...s,
      steps: [
        { name: 'a-kill-turn', fault: 'kill-turn', atMs: 5_000, durationMs: 4_000, params: {}, groups: ['turn'] },
        { name: 'b-browser-offline', fault: 'browser-offline', target: 'sender', atMs: 6_000, durationMs: 3_000, params: {}, groups: ['page-sender'] },
        { name: 'c-tab-crash', fault: 'tab-crash', target: 'receiver', atMs: 7_000, params: {}, recovery: { action: 'reopen-tab', afterMs: 1_000 }, groups: ['crash', 'page-receiver'] },
      ],
    };
    const r = await shrinkSchedule(base, async (c) => c.steps.some((x) => x.fault === 'kill-turn') && c.steps.some((x) => x.fault === 'tab-crash'));
    // kill-turn's duration does not matter to this predicate, so it is halved down to the floor.
    expect(r.smallest.steps.map((x) => [x.name, x.durationMs])).toEqual([
      ['a-kill-turn', 500],
      ['c-tab-crash', undefined],
    ]);
  });

  it('nothing smaller fails: the input is the answer', async () => {
    const s = failingSchedule();
    const r = await shrinkSchedule(s, async (c) => c.steps.length === s.steps.length && c.steps.every((x, i) => x.durationMs === s.steps[i]!.durationMs));
    expect(r.smallest).toBe(s);
    expect(r.tried.every((t) => !t.failed)).toBe(true);
  });

  it('stops at its run budget with the smallest failing schedule so far', async () => {
    const r = await shrinkSchedule(failingSchedule(), async () => true, 3);
    expect(r.tried.length).toBe(3);
    expect(r.budgetExhausted).toBe(true);
    expect(r.smallest.steps.length).toBe(failingSchedule().steps.length - 3);
  });
});
