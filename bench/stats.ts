export interface Summary {
  median: number;
  min: number;
  max: number;
  /** How many runs produced a value (failed runs produce none). */
  n: number;
  values: number[];
}

/** Median (mean of the middle two for an even count), min and max; undefined when nothing ran. */
export function summarize(values: readonly number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length, values: [...values] };
}

export function mibPerSecond(bytes: number, ms: number): number {
  return bytes / (1024 * 1024) / (ms / 1000);
}
