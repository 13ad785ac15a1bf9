import * as Comlink from 'comlink';
import type { HashApi } from './hash-api.js';

/**
 * The page's handle on the hashing worker. Hashing runs off the UI thread, and buffers are
 * transferred (moved), never copied, across the boundary.
 */
export function startHasher(workerUrl: string): { api: Comlink.Remote<HashApi>; terminate(): void } {
  const worker = new Worker(workerUrl, { type: 'module', name: 'blake3' });
  return { api: Comlink.wrap<HashApi>(worker), terminate: () => worker.terminate() };
}

