import { HarnessError } from '../errors.js';
import { childrenByParent, cmdline, processTree } from '../process/process-tree.js';
import { processGone } from './tab-processes.js';

/** SIGKILLed processes are gone within milliseconds; this is for a 2-core machine under heavy load. */
const TREE_GONE_TIMEOUT_MS = 15_000;
const TREE_GONE_POLL_MS = 50;

/**
 * The browser process and every process under it, right now. Take it BEFORE killing or closing
 * the browser: once the browser is dead its children are re-parented (to init), and a walk from
 * its PID no longer finds the renderer, GPU and network processes that still write into the
 * profile directory (the ENOTEMPTY of profile-…/Default in the workDir teardown).
 */
export function browserTree(browserPid: number | undefined, profileDir: string): number[] {
  const children = childrenByParent();
  const tree = new Set(browserPid === undefined ? [] : processTree(browserPid, children));
  // Helpers the browser double-forks (Chromium's crashpad handler, `--database=<profile>/…`) are
  // not under it, but name the profile: they are ours too, and write into it.
  for (const siblings of children.values()) {
    for (const pid of siblings) if (pid !== process.pid && !tree.has(pid) && cmdline(pid).some((a) => namesDir(a, profileDir))) tree.add(pid);
  }
  return [...tree];
}

/** `arg` names `dir` itself or a path inside it (not `dir2`: profile-receiver vs profile-receiver2). */
function namesDir(arg: string, dir: string): boolean {
  const at = arg.indexOf(dir);
  return at >= 0 && (at + dir.length === arg.length || arg[at + dir.length] === '/');
}

/** SIGKILL each of these PIDs (ours: the browser we launched and its children), ignoring those already gone. */
export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already exited: that is what we want
    }
  }
}

/**
 * Waits until every PID of `tree` has exited (a zombie counts as exited: it holds no files).
 * Throws a HarnessError naming the survivors, so a teardown that cannot finish says why.
 */
export async function waitTreeGone(tree: readonly number[], what: string, timeoutMs = TREE_GONE_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = tree.filter((pid) => !processGone(pid));
    if (alive.length === 0) return;
    if (Date.now() > deadline) {
      throw new HarnessError('ERR_TIMEOUT', `${what}: ${alive.length} of its ${tree.length} processes still alive ${timeoutMs} ms after it was stopped`, {
        context: { alive, tree },
        hint: 'A process stuck in uninterruptible sleep (D state, e.g. on a slow disk) cannot die; check `ps -o pid,stat,cmd -p <pids>`.',
      });
    }
    await new Promise((r) => setTimeout(r, TREE_GONE_POLL_MS));
  }
}
