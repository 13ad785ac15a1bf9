import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { USABLE_FAULTS } from '../../harness/experiment/fault-contexts.js';
import { loadExperiment } from '../../harness/experiment/validate-experiment.js';
import type { MachineFacts } from '../../harness/faults/needs.js';
import { eligibleFaults, type MonkeyEnv } from '../../harness/monkey/eligible-faults.js';
import { inRange, MONKEY_FAULTS } from '../../harness/monkey/monkey-faults.js';
import { mulberry32 } from '../../harness/monkey/prng.js';
import { experimentText, scheduleToExperiment, writeScheduleExperiment } from '../../harness/monkey/schedule-experiment.js';
import { busyWindow, drawSchedule } from '../../harness/monkey/schedule.js';

/** A machine that has everything the monkey's faults can need. */
const everything: MachineFacts = { platform: 'linux', root: true, hasBinary: () => true, cpuControllerMissing: () => undefined };
const full: MonkeyEnv = { machine: everything, engines: { sender: 'chromium', receiver: 'chromium' }, turnManaged: true };
const FILE = '/tmp/monkey/seed.json';
const text = (seed: number, durationMs = 90_000, env = full) => experimentText(scheduleToExperiment(drawSchedule(seed, durationMs, env), FILE));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monkey-schedule-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('mulberry32', () => {
  it('is the published algorithm: seed 0 starts 0.26642920868471265 (a change here redraws every old seed)', () => {
    const r = mulberry32(0);
    expect(r.next()).toBe(0.26642920868471265);
    const seven = mulberry32(7);
    const again = mulberry32(7);
    for (let i = 0; i < 1000; i++) expect(seven.next()).toBe(again.next());
  });

  it('int() stays inside its bounds and reaches both ends', () => {
    const r = mulberry32(42);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.int(3, 7));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });
});

describe('drawSchedule', () => {
  it('the same seed writes the same experiment file, byte for byte', () => {
    const a = path.join(tmp, 'a', 'seed-7.json');
    const b = path.join(tmp, 'b', 'seed-7.json');
    writeScheduleExperiment(drawSchedule(7, 90_000, full), a);
    writeScheduleExperiment(drawSchedule(7, 90_000, full), b);
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    expect(text(7)).toBe(text(7));
  });

  it('different seeds draw different schedules', () => {
    expect(text(7)).not.toBe(text(8));
    const distinct = new Set(Array.from({ length: 200 }, (_, seed) => JSON.stringify(drawSchedule(seed, 90_000, full).steps)));
    expect(distinct.size).toBeGreaterThanOrEqual(198);
  });

  it('over 2,000 seeds every parameter, time, duration and target stays inside the declared ranges, and grouped faults never overlap', () => {
    const table = new Map(MONKEY_FAULTS.map((f) => [f.fault, f]));
    const drawn = new Set<string>();
    for (let seed = 0; seed < 2_000; seed++) {
      const durationMs = 10_000 + (seed % 9) * 10_000;
      const s = drawSchedule(seed, durationMs, full);
      expect(s.steps.length, `seed ${seed}`).toBeGreaterThanOrEqual(1);
      expect(s.steps.length).toBeLessThanOrEqual(Math.max(2, Math.floor(durationMs / 10_000)));
      for (const st of s.steps) {
        drawn.add(st.fault);
        const f = table.get(st.fault)!;
        const where = `seed ${seed} ${st.name}`;
        expect(Object.keys(st.params).sort(), where).toEqual(Object.keys(f.ranges).sort());
        for (const [k, v] of Object.entries(st.params)) expect(inRange(f.ranges[k]!, v), `${where} ${k}=${v}`).toBe(true);
        expect(st.atMs, where).toBeGreaterThanOrEqual(durationMs * 0.05 - 250);
        expect(st.atMs, where).toBeLessThanOrEqual(durationMs * 0.65);
        if (f.durationMs) {
          expect(inRange(f.durationMs, st.durationMs) || st.durationMs === f.durationMs.min, `${where} durationMs=${st.durationMs}`).toBe(true);
          expect(st.atMs + st.durationMs! <= durationMs * 0.8 || st.durationMs === f.durationMs.min, `${where} healed inside the transfer`).toBe(true);
        } else expect(st.durationMs, where).toBeUndefined();
        if (f.recovery) expect(inRange(f.recovery.afterMs, st.recovery?.afterMs), where).toBe(true);
        if (f.targets) expect(f.targets, where).toContain(st.target);
        else expect(st.target, where).toBeUndefined();
      }
      for (const a of s.steps)
        for (const b of s.steps) {
          if (a === b || !a.groups.some((g) => b.groups.includes(g))) continue;
          const [a0, a1] = busyWindow(a);
          const [b0, b1] = busyWindow(b);
          expect(a0 >= b1 || b0 >= a1, `seed ${seed}: ${a.name} and ${b.name} share a group and overlap`).toBe(true);
        }
    }
    // Every fault of the table is reachable.
    expect([...drawn].sort()).toEqual(MONKEY_FAULTS.map((f) => f.fault).sort());
  });

  it('every written schedule validates against experiments/experiment.schema.json and replays from the file as written', () => {
    for (let seed = 0; seed < 100; seed++) {
      const file = path.join(tmp, `v-${seed}.json`);
      const x = writeScheduleExperiment(drawSchedule(seed, 40_000, full), file);
      expect(loadExperiment(file, USABLE_FAULTS)).toEqual(x);
    }
  });

  it('refuses a seed or duration it cannot draw from', () => {
    expect(() => drawSchedule(-1, 90_000, full)).toThrow(/seed -1/);
    expect(() => drawSchedule(1.5, 90_000, full)).toThrow(/seed 1.5/);
    expect(() => drawSchedule(7, 5_000, full)).toThrow(/duration 5000 ms/);
  });
});

describe('needs filtering (the needs check, given a machine)', () => {
  it('a machine with everything draws from every fault', () => {
    const e = eligibleFaults(full);
    expect(e.skipped).toEqual([]);
    expect(e.eligible.map((x) => x.fault.fault)).toEqual(MONKEY_FAULTS.map((f) => f.fault));
  });

  it('no root, no cgroup controller, an external TURN: cpu-quota and kill-turn are left out with the reason, never drawn', () => {
    const machine: MachineFacts = { platform: 'linux', root: false, hasBinary: () => true, cpuControllerMissing: () => 'the cgroup CPU controller (stub)' };
    const env: MonkeyEnv = { machine, engines: { sender: 'chromium', receiver: 'chromium' }, turnManaged: false };
    const e = eligibleFaults(env);
    expect(e.eligible.map((x) => x.fault.fault)).not.toContain('cpu-quota');
    expect(e.eligible.map((x) => x.fault.fault)).not.toContain('kill-turn');
    expect(e.skipped.find((k) => k.fault === 'kill-turn')?.reason).toMatch(/a TURN server the harness started/);
    expect(e.skipped.filter((k) => k.fault === 'cpu-quota').map((k) => k.target)).toEqual(['sender', 'receiver']);
    expect(e.skipped.find((k) => k.fault === 'cpu-quota')?.reason).toMatch(/root.*cgroup CPU controller \(stub\)/);
    for (let seed = 0; seed < 300; seed++) {
      const faults = drawSchedule(seed, 90_000, env).steps.map((s) => s.fault);
      expect(faults).not.toContain('cpu-quota');
      expect(faults).not.toContain('kill-turn');
    }
    expect(text(7, 90_000, env)).toMatch(/Left out on this machine: kill-turn \(needs a TURN server/);
  });

  it('a Firefox receiver: CDP faults act on the Chromium sender only; tab-crash on Firefox needs Linux', () => {
    const env: MonkeyEnv = { machine: everything, engines: { sender: 'chromium', receiver: 'firefox' }, turnManaged: true };
    const byName = new Map(eligibleFaults(env).eligible.map((x) => [x.fault.fault, x.targets]));
    expect(byName.get('cpu-throttle')).toEqual(['sender']);
    expect(byName.get('tab-crash')).toEqual(['sender', 'receiver']);
    const mac: MonkeyEnv = { ...env, machine: { ...everything, platform: 'darwin' } };
    expect(new Map(eligibleFaults(mac).eligible.map((x) => [x.fault.fault, x.targets])).get('tab-crash')).toEqual(['sender']);
    for (let seed = 0; seed < 300; seed++) {
      for (const s of drawSchedule(seed, 90_000, env).steps) if (s.fault === 'cpu-throttle') expect(s.target).toBe('sender');
    }
  });
});
