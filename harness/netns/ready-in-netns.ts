import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { HarnessError } from '../errors.js';
import type { ReadyProbe, ReadyTarget } from '../../lib/netns-command.js';
import { nodeScriptInNetns } from './node-in-netns.js';

const PROBE_PATH = fileURLToPath(new URL('./ready-probe.ts', import.meta.url));
/** Node's own start-up inside the namespace, on a machine shared with two browsers. */
const PROBE_START_SLACK_MS = 10_000;

// The types moved to lib/ so turn/launcher.ts can take this probe as an option.
export type { ReadyProbe, ReadyTarget } from '../../lib/netns-command.js';

function targetArgs(target: ReadyTarget): string[] {
  return target.kind === 'http' ? ['http', target.url] : ['stun', target.host, String(target.port)];
}

function describe(target: ReadyTarget): string {
  return target.kind === 'http' ? `GET ${target.url}` : `STUN udp+tcp ${target.host}:${target.port}`;
}

/**
 * Starts ready-probe.ts in `ns`: it retries for `timeoutMs` (0: one attempt) and exits when the
 * target answers. One process polls, rather than one process per attempt.
 */
export function probeReadyInNetns(ns: string, target: ReadyTarget, timeoutMs: number): ReadyProbe {
  const line = nodeScriptInNetns(ns, PROBE_PATH, [...targetArgs(target), '--timeout-ms', String(timeoutMs)]);
  const child: ChildProcess = spawn(line.command, line.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + PROBE_START_SLACK_MS);
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(err));
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      if (code === 0) return resolve();
      reject(new HarnessError('ERR_TIMEOUT', `${describe(target)} did not answer in namespace ${ns} within ${timeoutMs} ms${signal ? ` (probe ended by ${signal})` : ''}: ${stderr.trim() || `probe exit code ${code}`}`, {
        context: { ns, target, timeoutMs, stderr },
        hint: `Run \`ip netns exec ${ns} ss -lntup\` to see what listens there, and read the server's log.`,
      }));
    });
  });
  return {
    done,
    cancel() {
      clearTimeout(killer);
      // Our own child, by its PID (`ip netns exec` exec'd into node, so this is node itself).
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** One attempt: does `target` answer from inside `ns` right now? */
export async function answersInNetns(ns: string, target: ReadyTarget): Promise<boolean> {
  try {
    await probeReadyInNetns(ns, target, 0).done;
    return true;
  } catch {
    return false;
  }
}
