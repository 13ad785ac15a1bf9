import { HarnessError } from '../errors.js';
import { run } from './exec.js';

/** Chromium's children exit a moment after Playwright ends the browser; a namespace is busy only if they stay. */
const LEAVE_GRACE_MS = 2_000;
const LEAVE_POLL_MS = 100;

export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  // Lines read "name" or "name (id: 3)".
  return stdout.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter(Boolean);
}

export async function namespacePids(ns: string): Promise<number[]> {
  const { stdout } = await run('ip', ['netns', 'pids', ns]);
  return stdout.split(/\s+/).filter(Boolean).map(Number);
}

async function pidsAfterGrace(ns: string): Promise<number[]> {
  const deadline = Date.now() + LEAVE_GRACE_MS;
  for (;;) {
    const pids = await namespacePids(ns);
    if (pids.length === 0 || Date.now() >= deadline) return pids;
    await new Promise((r) => setTimeout(r, LEAVE_POLL_MS));
  }
}

/** Processes still inside each namespace, by name. */
export type BusyNamespaces = Record<string, number[]>;

/**
 * Deletes the named namespaces that exist, in the order given, and returns those that still held
 * a process. Such a namespace is deleted too: its name goes, and its devices live on only for the
 * processes inside, which are not ours to end here.
 */
export async function deleteNamespaces(names: readonly string[]): Promise<BusyNamespaces> {
  const present = new Set(await listNamespaces());
  const busy: BusyNamespaces = {};
  for (const ns of names) {
    if (!present.has(ns)) continue;
    const pids = await pidsAfterGrace(ns);
    if (pids.length > 0) busy[ns] = pids;
    await run('ip', ['netns', 'delete', ns]);
  }
  return busy;
}

export function busyError(busy: BusyNamespaces): HarnessError {
  return new HarnessError('ERR_NETNS_BUSY', `namespaces deleted while processes still ran in them: ${JSON.stringify(busy)}`, {
    context: { busy },
    hint: 'Close the browsers and stop the servers started in the topology before destroy(); those processes now run on a dead network and must be ended by whoever started them.',
  });
}
