/**
 * Namespaced logger, off by default (like simple-peer's `_debug`).
 * Enable with HARNESS_DEBUG=turn,signaling or HARNESS_DEBUG=* .
 */
const enabled = (process.env.HARNESS_DEBUG ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function isEnabled(ns: string): boolean {
  return enabled.some((pattern) => pattern === '*' || pattern === ns || (pattern.endsWith('*') && ns.startsWith(pattern.slice(0, -1))));
}

export type Logger = (message: string, ...rest: unknown[]) => void;

export function createLogger(ns: string, id?: string): Logger {
  const prefix = id ? `[${ns}:${id}]` : `[${ns}]`;
  return (message, ...rest) => {
    if (isEnabled(ns)) console.error(`${new Date().toISOString()} ${prefix} ${message}`, ...rest);
  };
}
