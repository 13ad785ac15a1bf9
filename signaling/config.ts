import fs from 'node:fs';

import { CHAOS_KEY_ENV, MIN_CHAOS_KEY_CHARS, type ChaosConfig } from './chaos-protocol.js';
import { validateChaosConfig } from './chaos.js';
import { DEFAULT_LIMITS, LIMIT_NAMES, LIMIT_RANGES, limitFlag, type SignalingLimits } from './limits.js';
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from './server.js';

/**
 * The CLI's settings, from (lowest to highest precedence) defaults, a `--config file.json`, the
 * CHAOS_KEY environment variable, and flags. Every problem is a ConfigError whose message is one
 * line: what is wrong and what to do.
 *
 * Config file (every field optional; unknown fields are refused, so a typo is not ignored):
 *   { "host": "127.0.0.1", "port": 8787, "heartbeatMs": 10000, "chaosKey": "…16+ chars…",
 *     "limits": { "messagesPerSecond": 50, … see limits.ts },
 *     "chaos": { "enabled": true, "dropRate": 0.1, … see chaos-protocol.ts } }
 */
export interface SignalingConfig {
  host: string;
  port: number;
  heartbeatMs: number;
  limits: SignalingLimits;
  chaosKey?: string;
  chaos?: ChaosConfig;
}

export class ConfigError extends Error {}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;
const MAX_PORT = 65_535;
const MAX_INT32 = 2 ** 31 - 1;

const FILE_FIELDS = ['host', 'port', 'heartbeatMs', 'chaosKey', 'limits', 'chaos'] as const;
const BASE_FLAGS = ['--host', '--port', '--heartbeat-ms', '--config', '--chaos-key'] as const;
const LIMIT_FLAGS = new Map(LIMIT_NAMES.map((name) => [limitFlag(name), name]));

export const USAGE =
  'usage: signaling [--config file.json] [--host 127.0.0.1] [--port 8787 (0 = any free port)] [--heartbeat-ms 10000] ' +
  `[--chaos-key KEY (or env ${CHAOS_KEY_ENV})] [--<limit> N, limits: ${[...LIMIT_FLAGS.keys()].join(' ')}]`;

/** One line, whatever the cause's text holds. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function describe(value: unknown): string {
  return oneLine(JSON.stringify(value) ?? String(value)).slice(0, 80);
}

function parseFlagInteger(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new ConfigError(`${flag} must be an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}

const SHORT_KEY = `must be at least ${MIN_CHAOS_KEY_CHARS} characters`;
const SHORT_KEY_TODO = 'use a long random string, e.g. from `openssl rand -hex 16`';

function checkChaosKey(key: string, where: string): string {
  if (key.length < MIN_CHAOS_KEY_CHARS) throw new ConfigError(`${where} ${SHORT_KEY} — ${SHORT_KEY_TODO}`);
  return key;
}

/** Accepts `--flag value` and `--flag=value`; anything else is refused rather than guessed at. */
function readFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!(BASE_FLAGS as readonly string[]).includes(flag) && !LIMIT_FLAGS.has(flag)) throw new ConfigError(`unknown argument '${arg}'; ${USAGE}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new ConfigError(`${flag} needs a value; ${USAGE}`);
    flags.set(flag, value);
  }
  return flags;
}

class FileProblem extends Error {
  constructor(
    readonly what: string,
    readonly todo: string,
  ) {
    super(what);
  }
}

function fileInteger(obj: Record<string, unknown>, key: string, min: number, max: number, name = key): number | undefined {
  if (!Object.hasOwn(obj, key)) return undefined;
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new FileProblem(`${name} must be an integer from ${min} to ${max}, got ${describe(value)}`, 'fix or remove it');
  }
  return value;
}

function fileLimits(input: unknown): Partial<SignalingLimits> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FileProblem('limits must be a JSON object', 'e.g. "limits": {"messagesPerSecond": 50}');
  const obj = input as Record<string, unknown>;
  const limits: Partial<SignalingLimits> = {};
  for (const key of Object.keys(obj)) {
    if (!(LIMIT_NAMES as string[]).includes(key)) throw new FileProblem(`limits.${key} is not a limit`, `use one of ${LIMIT_NAMES.join(', ')}`);
    const name = key as keyof SignalingLimits;
    const [min, max] = LIMIT_RANGES[name];
    try {
      limits[name] = fileInteger(obj, key, min, max, `limits.${key}`);
    } catch (err) {
      if (err instanceof FileProblem) throw new FileProblem(err.what, `fix or remove it (default ${DEFAULT_LIMITS[name]})`);
      throw err;
    }
  }
  return limits;
}

/** Reads and checks a config file; the settings it holds, or a FileProblem. */
function readFile(path: string): Partial<Omit<SignalingConfig, 'limits'>> & { limits?: Partial<SignalingLimits> } {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new FileProblem(`cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'check the path given to --config');
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    throw new FileProblem(`not valid JSON (${oneLine(err instanceof Error ? err.message : String(err))})`, 'fix the syntax; the file must hold one JSON object');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FileProblem('must hold a JSON object', 'e.g. {"port": 8787}');
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(FILE_FIELDS as readonly string[]).includes(key)) throw new FileProblem(`'${key}' is not a setting`, `use one of ${FILE_FIELDS.join(', ')}`);
  }
  const out: ReturnType<typeof readFile> = {};
  if (Object.hasOwn(obj, 'host')) {
    if (typeof obj.host !== 'string' || obj.host === '') throw new FileProblem(`host must be a non-empty string, got ${describe(obj.host)}`, 'e.g. "127.0.0.1"');
    out.host = obj.host;
  }
  const port = fileInteger(obj, 'port', 0, MAX_PORT);
  if (port !== undefined) out.port = port;
  const heartbeatMs = fileInteger(obj, 'heartbeatMs', 1, MAX_INT32);
  if (heartbeatMs !== undefined) out.heartbeatMs = heartbeatMs;
  if (Object.hasOwn(obj, 'chaosKey')) {
    if (typeof obj.chaosKey !== 'string') throw new FileProblem(`chaosKey must be a string, got ${describe(obj.chaosKey)}`, 'fix or remove it');
    if (obj.chaosKey.length < MIN_CHAOS_KEY_CHARS) throw new FileProblem(`chaosKey ${SHORT_KEY}`, SHORT_KEY_TODO);
    out.chaosKey = obj.chaosKey;
  }
  if (Object.hasOwn(obj, 'limits')) out.limits = fileLimits(obj.limits);
  if (Object.hasOwn(obj, 'chaos')) {
    const checked = validateChaosConfig(obj.chaos, 'chaos.');
    if (!checked.ok) throw new FileProblem(checked.error, 'fix it (the fields are described in signaling/chaos-protocol.ts)');
    out.chaos = checked.config;
  }
  return out;
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SignalingConfig {
  const flags = readFlags(argv);
  const config: SignalingConfig = { host: DEFAULT_HOST, port: DEFAULT_PORT, heartbeatMs: DEFAULT_HEARTBEAT_INTERVAL_MS, limits: { ...DEFAULT_LIMITS } };

  const file = flags.get('--config');
  if (file !== undefined) {
    try {
      const fromFile = readFile(file);
      Object.assign(config, { ...fromFile, limits: { ...config.limits, ...fromFile.limits } });
    } catch (err) {
      if (err instanceof FileProblem) throw new ConfigError(`${file}: ${err.what} — ${err.todo}`);
      throw err;
    }
  }
  const envKey = env[CHAOS_KEY_ENV];
  if (envKey) config.chaosKey = checkChaosKey(envKey, CHAOS_KEY_ENV);

  for (const [flag, value] of flags) {
    if (flag === '--host') config.host = value;
    else if (flag === '--port') config.port = parseFlagInteger(flag, value, 0, MAX_PORT);
    else if (flag === '--heartbeat-ms') config.heartbeatMs = parseFlagInteger(flag, value, 1, MAX_INT32);
    else if (flag === '--chaos-key') config.chaosKey = checkChaosKey(value, flag);
    else if (flag !== '--config') {
      const name = LIMIT_FLAGS.get(flag)!;
      const [min, max] = LIMIT_RANGES[name];
      config.limits[name] = parseFlagInteger(flag, value, min, max);
    }
  }
  return config;
}
