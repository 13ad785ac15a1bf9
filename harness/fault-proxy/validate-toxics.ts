import { HarnessError } from '../errors.js';
import type { ProxyToxics } from './control-protocol.js';

/**
 * The one check every toxic set passes, whether it comes from the control API, the CLI, a fault's
 * params or a direct setToxics() call. Unknown keys are refused rather than ignored: a typo like
 * `latencyMs` would otherwise leave the link clean and the test would pass for the wrong reason.
 */

/** A minute of one-way latency is already far past anything ICE or SCTP survives. */
export const MAX_DELAY_MS = 60_000;
/** 10 Gbit/s: above this a cap means nothing on loopback. */
export const MAX_RATE_KBPS = 10_000_000;

type BooleanToxic = 'blackhole' | 'resetTcp' | 'blockUdp' | 'blockTcp';
type NumberToxic = 'lossPercent' | 'delayMs' | 'jitterMs' | 'reorderPercent' | 'rateKbps';

const BOOLEAN_TOXICS: readonly BooleanToxic[] = ['blackhole', 'resetTcp', 'blockUdp', 'blockTcp'];

interface NumberRange { min: number; max: number; minExclusive?: boolean; hint?: string }

const NUMBER_TOXICS: Readonly<Record<NumberToxic, NumberRange>> = {
  lossPercent: { min: 0, max: 100 },
  reorderPercent: { min: 0, max: 100 },
  delayMs: { min: 0, max: MAX_DELAY_MS },
  jitterMs: { min: 0, max: MAX_DELAY_MS },
  rateKbps: { min: 0, max: MAX_RATE_KBPS, minExclusive: true, hint: 'To stop all traffic use blackhole; for no cap leave rateKbps out.' },
};

const KNOWN_TOXICS: readonly string[] = [...BOOLEAN_TOXICS, ...Object.keys(NUMBER_TOXICS)];
const README_HINT = 'See harness/fault-proxy/README.md for every toxic, its unit and its range.';

function invalid(field: string | undefined, message: string, value: unknown, hint = README_HINT): HarnessError {
  return new HarnessError('ERR_CONFIG', `invalid toxics: ${message}`, { context: { field, value }, hint });
}

/** JSON.stringify would print NaN and Infinity as null, which hides the mistake. */
function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
}

function isNumberToxic(key: string): key is NumberToxic {
  return Object.hasOwn(NUMBER_TOXICS, key);
}

function isBooleanToxic(key: string): key is BooleanToxic {
  return (BOOLEAN_TOXICS as readonly string[]).includes(key);
}

function checkNumber(key: NumberToxic, value: unknown): number {
  const range = NUMBER_TOXICS[key];
  const above = range.minExclusive ? `above ${range.min}` : `from ${range.min}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || value > range.max || (range.minExclusive && value === range.min)) {
    throw invalid(key, `${key} must be a number ${above} to ${range.max}, got ${show(value)}`, value, range.hint ?? README_HINT);
  }
  return value;
}

/** Returns a fresh, plain copy holding only the toxics given; throws ERR_CONFIG naming the bad field. */
export function validateToxics(input: unknown): ProxyToxics {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(undefined, `expected a JSON object of toxics, got ${Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input}`, input);
  }
  const toxics: ProxyToxics = {};
  for (const [key, value] of Object.entries(input)) {
    if (isBooleanToxic(key)) {
      if (typeof value !== 'boolean') throw invalid(key, `${key} must be true or false, got ${show(value)}`, value);
      toxics[key] = value;
    } else if (isNumberToxic(key)) {
      toxics[key] = checkNumber(key, value);
    } else {
      throw invalid(key, `unknown toxic '${key}'; known: ${KNOWN_TOXICS.join(', ')}`, value);
    }
  }
  return toxics;
}
