import { spawn } from 'node:child_process';

import { HarnessError } from '../errors.js';
import { createLogger } from '../log.js';

/** `ip`, `nft` and `tc` answer in milliseconds; ten seconds means the kernel or a lock is stuck. */
const COMMAND_TIMEOUT_MS = 10_000;
const STDERR_KEPT_CHARS = 2_000;

const log = createLogger('netns');

// netnsCommand moved to lib/ (turn/ runs coturn in a namespace too).
export { netnsCommand, type CommandLine } from '../../lib/netns-command.js';
import { netnsCommand } from '../../lib/netns-command.js';

export interface RunOptions {
  /** Written to stdin, then stdin is closed (`nft -f -` reads its ruleset this way). */
  input?: string;
  timeoutMs?: number;
  /** What the user should do when this command fails; the default names the usual causes. */
  hint?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a short administrative command; a non-zero exit is an error quoting its stderr. */
export async function run(command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? COMMAND_TIMEOUT_MS;
  log(`${command} ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const fail = (why: string, cause?: unknown): void => {
      clearTimeout(timer);
      reject(new HarnessError('ERR_NETNS_COMMAND_FAILED', `\`${command} ${args.join(' ')}\` ${why}${stderr ? `: ${stderr.trim().slice(-STDERR_KEPT_CHARS)}` : ''}`, {
        context: { command, args, stderr: stderr.slice(-STDERR_KEPT_CHARS), input: opts.input },
        hint: opts.hint ?? 'Network namespaces, nft and tc need root (CAP_NET_ADMIN) and the iproute2 and nftables packages; run the same command by hand to see it fail live.',
        cause,
      }));
    };
    child.once('error', (err) => fail('could not start', err));
    child.once('close', (code, signal) => {
      if (code === 0) {
        clearTimeout(timer);
        resolve({ stdout, stderr });
      } else {
        fail(signal ? `was killed by ${signal} after ${timeoutMs} ms` : `exited with code ${code}`);
      }
    });
    child.stdin.on('error', () => undefined); // a command that exits before reading stdin fails through 'close'
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs `command` inside namespace `ns` (see netnsCommand). */
export async function runIn(ns: string, command: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const line = netnsCommand(ns, command, args);
  return run(line.command, line.args, opts);
}

/** True when the command exits 0; for probes whose failure is an answer, not an error. */
export async function succeeds(command: string, args: string[], opts: RunOptions = {}): Promise<boolean> {
  try {
    await run(command, args, opts);
    return true;
  } catch (err) {
    if (err instanceof HarnessError && err.code === 'ERR_NETNS_COMMAND_FAILED') return false;
    throw err;
  }
}
