import { describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { validateToxics } from '../../harness/fault-proxy/validate-toxics.js';

function rejection(input: unknown): HarnessError {
  try {
    validateToxics(input);
  } catch (err) {
    expect(err).toBeInstanceOf(HarnessError);
    return err as HarnessError;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('validateToxics', () => {
  it('accepts every toxic at its limits and returns a fresh copy', () => {
    const input = { blackhole: false, lossPercent: 100, delayMs: 60_000, jitterMs: 0, reorderPercent: 0, rateKbps: 0.5, resetTcp: true, blockUdp: true, blockTcp: false };
    const out = validateToxics(input);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(validateToxics({})).toEqual({});
  });

  it.each([
    [{ lossPercent: 150 }, 'lossPercent', 'lossPercent must be a number from 0 to 100, got 150'],
    [{ lossPercent: -1 }, 'lossPercent', 'got -1'],
    [{ reorderPercent: '5' }, 'reorderPercent', 'got "5"'],
    [{ delayMs: 60_001 }, 'delayMs', 'from 0 to 60000'],
    [{ jitterMs: Number.NaN }, 'jitterMs', 'got NaN'],
    [{ rateKbps: Number.POSITIVE_INFINITY }, 'rateKbps', 'got Infinity'],
    [{ delayMs: null }, 'delayMs', 'got null'],
    [{ rateKbps: 0 }, 'rateKbps', 'rateKbps must be a number above 0'],
    [{ blackhole: 'yes' }, 'blackhole', 'blackhole must be true or false, got "yes"'],
    [{ latencyMs: 100 }, 'latencyMs', "unknown toxic 'latencyMs'; known: blackhole, resetTcp"],
    [JSON.parse('{"__proto__": {"blackhole": true}}') as unknown, '__proto__', "unknown toxic '__proto__'"],
  ])('refuses %j, naming the field', (input, field, message) => {
    const err = rejection(input);
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.context.field).toBe(field);
    expect(err.message).toContain(message);
    expect(err.hint).not.toBe('');
  });

  it.each([[null, 'null'], [[1], 'an array'], ['{}', 'string'], [5, 'number']])('refuses %j as a whole', (input, what) => {
    expect(rejection(input).message).toContain(`expected a JSON object of toxics, got ${what}`);
  });

  it('tells how to stop traffic when rateKbps is 0', () => {
    expect(rejection({ rateKbps: 0 }).hint).toMatch(/blackhole/);
  });
});
