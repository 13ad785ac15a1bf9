import {
  DEFAULT_CHAOS_CONFIG,
  MAX_CHAOS_LATENCY_MS,
  MAX_ROOM_GLOBS,
  ROOM_GLOB_PATTERN,
  type ChaosConfig,
  type ChaosStats,
  type ChaosStatus,
} from './chaos-protocol.js';

export type ChaosValidation = { ok: true; config: ChaosConfig } | { ok: false; error: string };

const FIELDS = ['enabled', 'disconnectRate', 'dropRate', 'minLatencyMs', 'maxLatencyMs', 'includeRooms', 'excludeRooms'] as const;

class FieldError extends Error {}

function rate(obj: Record<string, unknown>, field: 'disconnectRate' | 'dropRate'): number {
  const value = Object.hasOwn(obj, field) ? obj[field] : DEFAULT_CHAOS_CONFIG[field];
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new FieldError(`${field} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  return value;
}

function latency(obj: Record<string, unknown>, field: 'minLatencyMs' | 'maxLatencyMs'): number {
  const value = Object.hasOwn(obj, field) ? obj[field] : DEFAULT_CHAOS_CONFIG[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_CHAOS_LATENCY_MS) {
    throw new FieldError(`${field} must be a whole number of ms from 0 to ${MAX_CHAOS_LATENCY_MS}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function globs(obj: Record<string, unknown>, field: 'includeRooms' | 'excludeRooms'): string[] | undefined {
  if (!Object.hasOwn(obj, field)) return undefined;
  const value = obj[field];
  if (!Array.isArray(value) || value.length > MAX_ROOM_GLOBS) throw new FieldError(`${field} must be an array of at most ${MAX_ROOM_GLOBS} room patterns`);
  return value.map((item: unknown, i) => {
    if (typeof item !== 'string' || !ROOM_GLOB_PATTERN.test(item)) {
      throw new FieldError(`${field}[${i}] must be a room pattern of 1-64 chars of [A-Za-z0-9_-*?], got ${JSON.stringify(item)?.slice(0, 80)}`);
    }
    return item;
  });
}

/**
 * Checks a chaos config from the API or a config file. Fields left out take their defaults
 * (a POST replaces the whole config); unknown fields are refused, so a typo is not ignored.
 * Every message names the field at fault, prefixed with `where` (e.g. `chaos.`).
 */
export function validateChaosConfig(input: unknown, where = ''): ChaosValidation {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, error: `${where || 'chaos config'} must be a JSON object` };
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(FIELDS as readonly string[]).includes(key)) return { ok: false, error: `${where}${key} is not a chaos setting; expected one of ${FIELDS.join(', ')}` };
  }
  try {
    const enabled = Object.hasOwn(obj, 'enabled') ? obj.enabled : DEFAULT_CHAOS_CONFIG.enabled;
    if (typeof enabled !== 'boolean') throw new FieldError(`enabled must be true or false, got ${JSON.stringify(enabled)}`);
    const config: ChaosConfig = {
      enabled,
      disconnectRate: rate(obj, 'disconnectRate'),
      dropRate: rate(obj, 'dropRate'),
      minLatencyMs: latency(obj, 'minLatencyMs'),
      maxLatencyMs: latency(obj, 'maxLatencyMs'),
    };
    if (config.minLatencyMs > config.maxLatencyMs) throw new FieldError(`minLatencyMs (${config.minLatencyMs}) must not exceed maxLatencyMs (${config.maxLatencyMs})`);
    const include = globs(obj, 'includeRooms');
    const exclude = globs(obj, 'excludeRooms');
    if (include !== undefined) config.includeRooms = include;
    if (exclude !== undefined) config.excludeRooms = exclude;
    return { ok: true, config };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, error: `${where}${err.message}` };
    throw err;
  }
}

/** `*` is any run of characters, `?` any one; nothing else is special (the pattern allows no other metacharacter). */
function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

export type ChaosDecision = { action: 'relay'; delayMs: number } | { action: 'drop' } | { action: 'disconnect' };

const RELAY_NOW: ChaosDecision = Object.freeze({ action: 'relay', delayMs: 0 });

/** Holds the current chaos config and decides, per relayed signal, what happens to it. */
export class ChaosEngine {
  private config: ChaosConfig = { ...DEFAULT_CHAOS_CONFIG };
  private include: RegExp[] = [];
  private exclude: RegExp[] = [];
  private stats: ChaosStats = freshStats();

  constructor(private readonly random: () => number = Math.random) {}

  /** Replaces the config (already validated) and restarts the counts. */
  set(config: ChaosConfig): void {
    this.config = config;
    this.include = (config.includeRooms ?? []).map(globToRegExp);
    this.exclude = (config.excludeRooms ?? []).map(globToRegExp);
    this.stats = freshStats();
  }

  status(): ChaosStatus {
    return { config: this.config, stats: { ...this.stats } };
  }

  decide(room: string): ChaosDecision {
    const c = this.config;
    if (!c.enabled || !this.appliesTo(room)) return RELAY_NOW;
    this.stats.considered++;
    if (c.disconnectRate > 0 && this.random() < c.disconnectRate) {
      this.stats.disconnected++;
      return { action: 'disconnect' };
    }
    if (c.dropRate > 0 && this.random() < c.dropRate) {
      this.stats.dropped++;
      return { action: 'drop' };
    }
    const delayMs = Math.round(c.minLatencyMs + this.random() * (c.maxLatencyMs - c.minLatencyMs));
    if (delayMs > 0) this.stats.delayed++;
    return { action: 'relay', delayMs };
  }

  private appliesTo(room: string): boolean {
    if (this.exclude.some((re) => re.test(room))) return false;
    return this.include.length === 0 || this.include.some((re) => re.test(room));
  }
}

function freshStats(): ChaosStats {
  return { considered: 0, dropped: 0, delayed: 0, disconnected: 0 };
}
