/**
 * Runs IN THE BROWSER (bundled by hash-bench.ts with esbuild and injected into a page on the app's
 * origin): BLAKE3 of one random buffer in the app's own hashing worker, spoken to through comlink
 * as the app does, and with hash-wasm on the main thread.
 */
import * as Comlink from 'comlink';
import { createBLAKE3 } from 'hash-wasm';
import type { HashApi } from '../app-under-test/hash/hash-api.js';
import { chunkDigestPrefix } from '../app-under-test/transfer/frame-codec.js';

/** crypto.getRandomValues fills at most this many bytes per call. */
const RANDOM_FILL_MAX_BYTES = 65_536;

export interface HashTiming {
  /** Wall time of each repetition, ms. */
  ms: number[];
  /** The digest (hex), so the worker and the main thread can be checked against each other. */
  hex: string;
}

export interface HashBenchPage {
  makeBuffer(bytes: number): void;
  /** The whole buffer as ONE chunkDigest() call (transferred, not copied): BLAKE3 in the worker, plus one round trip. */
  workerOneCall(workerUrl: string, reps: number): Promise<HashTiming>;
  /** The buffer in `chunkBytes` pieces, one chunkDigest() call each, all in flight at once (as frames are hashed and verified). */
  workerChunked(workerUrl: string, reps: number, chunkBytes: number): Promise<{ ms: number[] }>;
  /** What workerOneCall computes (the chunk digest of the whole buffer), with hash-wasm on this thread. */
  mainThread(reps: number): Promise<HashTiming>;
}

let buffer = new Uint8Array(0);

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function withWorker<T>(workerUrl: string, use: (api: Comlink.Remote<HashApi>) => Promise<T>): Promise<T> {
  const worker = new Worker(workerUrl, { type: 'module', name: 'bench-blake3' });
  try {
    const api = Comlink.wrap<HashApi>(worker);
    // The worker instantiates its wasm on first use: keep that out of the timings.
    await api.chunkDigest(0, new ArrayBuffer(1));
    return await use(api);
  } finally {
    worker.terminate();
  }
}

/** Runs `once` `reps` times; `prepare` (untimed) makes what each repetition consumes. */
async function timed<P, R>(reps: number, prepare: () => P, once: (input: P) => Promise<R>): Promise<{ ms: number[]; last: R | undefined }> {
  const ms: number[] = [];
  let last: R | undefined;
  for (let r = 0; r < reps; r++) {
    const input = prepare();
    const t0 = performance.now();
    last = await once(input);
    ms.push(performance.now() - t0);
  }
  return { ms, last };
}

const page: HashBenchPage = {
  makeBuffer(bytes) {
    buffer = new Uint8Array(bytes);
    for (let off = 0; off < bytes; off += RANDOM_FILL_MAX_BYTES) crypto.getRandomValues(buffer.subarray(off, off + RANDOM_FILL_MAX_BYTES));
  },

  workerOneCall(workerUrl, reps) {
    return withWorker(workerUrl, async (api) => {
      // Transferring moves the buffer out of this thread, so each repetition gets its own copy.
      const { ms, last } = await timed(reps, () => buffer.slice().buffer, (copy) => api.chunkDigest(0, Comlink.transfer(copy, [copy])));
      return { ms, hex: last ? toHex(last) : '' };
    });
  },

  workerChunked(workerUrl, reps, chunkBytes) {
    return withWorker(workerUrl, async (api) => {
      const pieces = (): ArrayBuffer[] => {
        const out: ArrayBuffer[] = [];
        for (let off = 0; off < buffer.length; off += chunkBytes) out.push(buffer.slice(off, off + chunkBytes).buffer);
        return out;
      };
      const { ms } = await timed(reps, pieces, (ps) => Promise.all(ps.map((p, index) => api.chunkDigest(index, Comlink.transfer(p, [p])))));
      return { ms };
    });
  },

  async mainThread(reps) {
    const hasher = await createBLAKE3();
    const { ms, last } = await timed(reps, () => undefined, async () => {
      hasher.init();
      hasher.update(chunkDigestPrefix(0, buffer.length));
      hasher.update(buffer);
      return hasher.digest('hex');
    });
    return { ms, hex: last ?? '' };
  },
};

(window as unknown as { __benchHash: HashBenchPage }).__benchHash = page;
