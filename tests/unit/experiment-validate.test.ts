import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../harness/experiment/experiment.js';
import { USABLE_FAULTS } from '../../harness/experiment/fault-contexts.js';
import { loadExperiment, validateExperiment } from '../../harness/experiment/validate-experiment.js';

const repo = path.resolve(import.meta.dirname, '../..');
const faults = new Map([
  ['kill-turn', { browserSide: false }],
  ['kill-signaling', { browserSide: false }],
  ['turn-proxy-toxics', { browserSide: false }],
  ['crash-tab', { browserSide: true }],
]);

// Uses every probe, trigger and rollback kind: the TypeScript types and the schema must agree on it.
const valid: Experiment = {
  title: 'all kinds',
  scenarioId: 'CAS-9',
  configuration: { fileSizeBytes: 1024, iceTransportPolicy: 'relay', turnRoute: 'proxy', timeoutMs: 60_000 },
  steadyStateHypothesis: {
    title: 'h',
    probes: [{ type: 'transfer-completes' }, { type: 'integrity' }, { type: 'resumed-from-checkpoint' }, { type: 'recovery-under', maxMs: 5_000 }, { type: 'resent-bytes-under', maxBytes: 1 }],
  },
  method: [
    { name: 'a', fault: 'kill-turn', params: {}, trigger: { atProgressPercent: 50 }, durationMs: 1_000 },
    { name: 'b', fault: 'kill-signaling', params: { signal: 'SIGKILL' }, trigger: { afterMs: 2_000 } },
    { name: 'c', fault: 'crash-tab', params: {}, target: 'receiver', trigger: { afterStep: 'a', delayMs: 10 }, recovery: { action: 'reopen-tab', afterMs: 0 } },
  ],
  rollbacks: [{ action: 'heal-all' }, { action: 'heal', step: 'b' }],
};

function problems(doc: unknown): string {
  try {
    validateExperiment(doc, 'x.json', faults);
  } catch (err) {
    return (err as Error).message;
  }
  return 'valid';
}

const edit = (f: (x: any) => void) => {
  const x = structuredClone(valid) as any;
  f(x);
  return x;
};

describe('experiment validation', () => {
  it('accepts every experiment we ship, and one that uses every kind of probe, trigger and rollback', () => {
    expect(problems(valid)).toBe('valid');
    const shipped = fs.readdirSync(path.join(repo, 'experiments')).filter((n) => n.endsWith('.json') && !n.endsWith('.schema.json'));
    expect(shipped.length).toBeGreaterThan(0);
    for (const n of shipped) expect(() => loadExperiment(path.join(repo, 'experiments', n), USABLE_FAULTS), n).not.toThrow();
  });

  it.each([
    ['a missing field', (x: any) => delete x.title, '/title: is required'],
    ['an unknown field', (x: any) => (x.configuration.browsers = 'all'), '/configuration: unknown field "browsers"'],
    ['a wrong enum value', (x: any) => (x.configuration.turnRoute = 'carrier-pigeon'), '/configuration/turnRoute: must be one of ["direct","proxy","dead-first"]'],
    ['a progress point past 99%', (x: any) => (x.method[0].trigger.atProgressPercent = 150), '/method/0/trigger/atProgressPercent: must be <= 99'],
    ['a probe without its tolerance', (x: any) => (x.steadyStateHypothesis.probes[3] = { type: 'recovery-under' }), '/steadyStateHypothesis/probes/3/maxMs: is required'],
    ['a negative duration', (x: any) => (x.method[0].durationMs = -1), '/method/0/durationMs: must be >= 0'],
    ['a trigger of no known kind', (x: any) => (x.method[1].trigger = { whenever: true }), '/method/1/trigger: must be one of: { atProgressPercent } | { afterMs } | { afterStep }'],
    ['a probe of no known type', (x: any) => (x.steadyStateHypothesis.probes[0] = { type: 'vibes' }), '/steadyStateHypothesis/probes/0: must be one of: type "transfer-completes" | type "integrity"'],
    ['an empty method', (x: any) => (x.method = []), '/method: must NOT have fewer than 1 items'],
  ])('points at the field: %s', (_what, change, expected) => {
    const msg = problems(edit(change));
    expect(msg).toContain('ERR_EXPERIMENT_INVALID: x.json is not a valid experiment');
    expect(msg).toContain(expected);
  });

  it.each([
    ['an unknown fault', (x: any) => (x.method[1].fault = 'unplug-the-moon'), '/method/1/fault: "unplug-the-moon" is not a fault an experiment can use; known: crash-tab, kill-signaling, kill-turn, turn-proxy-toxics'],
    ['a browser fault without a target', (x: any) => delete x.method[2].target, '/method/2/target: crash-tab acts on one browser'],
    ['a duplicate step name', (x: any) => (x.method[1].name = 'a'), '/method/1/name: "a" is already the name of /method/0'],
    ['a trigger on a step that does not exist', (x: any) => (x.method[2].trigger.afterStep = 'zz'), '/method/2/trigger/afterStep: no step is named "zz"'],
    ['steps that wait for each other', (x: any) => (x.method[0].trigger = { afterStep: 'c' }), 'steps wait for each other in a cycle'],
    ['a rollback of an unknown step', (x: any) => (x.rollbacks[1].step = 'nope'), '/rollbacks/1/step: no step is named "nope"'],
  ])('checks what the schema cannot: %s', (_what, change, expected) => {
    expect(problems(edit(change))).toContain(expected);
  });

  it('says when a file is not JSON at all, and how to fix it', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'exp-')), 'bad.json');
    try {
      fs.writeFileSync(file, '{ "title": "x", }');
      expect(() => loadExperiment(file, faults)).toThrow(/ERR_EXPERIMENT_INVALID: .*bad\.json cannot be read as JSON[\s\S]*trailing comma/);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
