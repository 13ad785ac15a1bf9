import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

/** The bench's in-browser scripts: they run in a page; Node code imports only their types. */
export type BrowserScript = 'hash-page.ts' | 'raw-blast-page.ts';
export const BROWSER_SCRIPTS: readonly BrowserScript[] = ['hash-page.ts', 'raw-blast-page.ts'];

const built = new Map<string, Promise<string>>();

/**
 * One of the bench's in-browser scripts (bench/*-page.ts) as a self-contained IIFE, its imports
 * (hash-wasm, comlink) inlined, ready for page.addScriptTag. Built in memory (nothing is written)
 * and once per bench: run-bench.ts builds them all at the start, so a source edited while the
 * bench runs cannot change what later runs measure, and a compile error stops it at once.
 */
export function bundleBrowserScript(fileName: BrowserScript): Promise<string> {
  let script = built.get(fileName);
  if (!script) {
    script = build(fileName);
    built.set(fileName, script);
  }
  return script;
}

async function build(fileName: string): Promise<string> {
  const out = await esbuild.build({
    entryPoints: [path.join(BENCH_DIR, fileName)],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  return out.outputFiles[0]!.text;
}
