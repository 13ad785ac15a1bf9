import fs from 'node:fs';
import { cmdline, processTree } from '../process/process-tree.js';

/**
 * The PIDs of the processes that run a browser's web content (its tabs), found under the browser
 * process `browserPid` (`find-browser-pid.ts`) by walking /proc. Killing them is a real tab crash
 * on either engine, without a debugging protocol:
 * - Firefox: `-contentproc` children whose last argument (the process type) is `tab` and whose
 *   name is "Web Content" or "Isolated Web Co(ntent)" (the page's site process under Fission, plus
 *   preallocated ones), all children of the fork server. Also `tab`-typed but not web pages:
 *   "WebExtensions" and "Privileged Cont(ent)"; `socket`, `rdd`, `utility`, `forkserver` are not
 *   tabs. All of these are left alone.
 * - Chromium: `--type=renderer` children, except extension renderers.
 */
export function tabProcessPids(browserPid: number): number[] {
  return processTree(browserPid).slice(1).filter((pid) => isTabProcess(cmdline(pid), commandName(pid)));
}

/** Children of Firefox's fork server rewrite their command line as ONE space-separated string, so it is split on both. */
export function isTabProcess(argv: readonly string[], name: string): boolean {
  const args = argv.flatMap((a) => a.split(' ')).filter((a) => a !== '');
  if (args.includes('-contentproc')) return args.at(-1) === 'tab' && /^(Web Content|Isolated Web)/.test(name);
  return args.includes('--type=renderer') && !args.includes('--extension-process');
}

/** The kernel's name of the process (`comm`, at most 15 characters): Firefox names its content processes by role. */
function commandName(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  } catch {
    return '';
  }
}

/** Gone, or a zombie its parent has not reaped yet (a killed Firefox tab stays one until the fork server waits for it). */
export function processGone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
