import type { Page } from '@playwright/test';
import { HarnessError } from '../harness/errors.js';
import { openBenchPage } from './bench-page.js';
import { bundleBrowserScript } from './browser-bundle.js';
import { MIB } from './bench-params.js';
import type { HashBenchPage } from './hash-page.js';
import { mibPerSecond, summarize, type Summary } from './stats.js';

export interface HashBenchResult {
  bufferMiB: number;
  /** The app's built worker (dist/app/hash-worker.js): the whole buffer as one chunkDigest() call. */
  workerMiBps: Summary;
  /** The same worker, one chunkDigest() per app chunk, all in flight at once: what per-frame hashing costs. */
  workerChunkedMiBps: Summary;
  chunkBytes: number;
  /** hash-wasm on the page's main thread, the same digest as workerMiBps. */
  mainThreadMiBps: Summary;
}

function rates(bytes: number, ms: number[]): Summary {
  return summarize(ms.map((t) => mibPerSecond(bytes, t)))!;
}

/** BLAKE3 of one random `bufferMiB` buffer, `reps` times each way, in `page` (an idle browser). */
export async function runHashBench(page: Page, appUrl: string, bufferMiB: number, reps: number, chunkBytes: number): Promise<HashBenchResult> {
  await openBenchPage(page, appUrl, 'BLAKE3 bench', await bundleBrowserScript('hash-page.ts'));
  const workerUrl = new URL('hash-worker.js', appUrl).href;
  const bytes = bufferMiB * MIB;
  // Each evaluate runs in the page, where only the injected script's global is in scope.
  type BenchWindow = { __benchHash: HashBenchPage };
  await page.evaluate((n) => (window as unknown as BenchWindow).__benchHash.makeBuffer(n), bytes);
  const worker = await page.evaluate(([url, n]) => (window as unknown as BenchWindow).__benchHash.workerOneCall(url, n), [workerUrl, reps] as const);
  const chunked = await page.evaluate(([url, n, c]) => (window as unknown as BenchWindow).__benchHash.workerChunked(url, n, c), [workerUrl, reps, chunkBytes] as const);
  const main = await page.evaluate((n) => (window as unknown as BenchWindow).__benchHash.mainThread(n), reps);
  if (worker.hex !== main.hex) {
    throw new HarnessError('ERR_INTEGRITY', 'the app’s hashing worker and hash-wasm on the main thread disagree on the chunk digest of the same buffer', {
      context: { worker: worker.hex, mainThread: main.hex },
      hint: 'The worker build is stale (run `node scripts/build-app.mjs`), or the digest changed in app-under-test/hash/hash-worker.ts and bench/hash-page.ts no longer mirrors it.',
    });
  }
  return {
    bufferMiB,
    workerMiBps: rates(bytes, worker.ms),
    workerChunkedMiBps: rates(bytes, chunked.ms),
    chunkBytes,
    mainThreadMiBps: rates(bytes, main.ms),
  };
}
