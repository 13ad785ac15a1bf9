import { buildSync } from 'esbuild';

import { netnsCommand, type CommandLine } from './exec.js';

/**
 * Runs one of our TypeScript entry scripts with plain `node` inside a namespace. A Node process
 * cannot enter another network namespace itself, so anything that must talk to a server in the
 * hub (a readiness probe, a bridge) runs as a child started with `ip netns exec`. The script is
 * bundled once with esbuild and passed with `-e`: starting tsx costs one to three seconds on a
 * loaded machine, node alone a tenth of that, and no file is written.
 */

const bundles = new Map<string, string>();

function bundle(entryPath: string): string {
  let code = bundles.get(entryPath);
  if (code === undefined) {
    const out = buildSync({ entryPoints: [entryPath], bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent' });
    code = out.outputFiles[0]!.text;
    bundles.set(entryPath, code);
  }
  return code;
}

/** The command line that runs `entryPath` (a .ts file, bundled with its imports) in `ns` with `args`. */
export function nodeScriptInNetns(ns: string, entryPath: string, args: string[]): CommandLine {
  return netnsCommand(ns, process.execPath, ['--input-type=module', '-e', bundle(entryPath), '--', ...args]);
}
