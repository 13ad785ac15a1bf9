import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One run of a TypeScript CLI as its own process, with its output collected. */
export interface CliRun {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `cliPath` (node --import tsx) and remembers every run, so stopAll() can end them by PID. */
export function cliRunner(cliPath: string): { run(args: string[], env?: NodeJS.ProcessEnv): CliRun; stopAll(): Promise<void> } {
  const runs: CliRun[] = [];
  return {
    run(args, env = {}) {
      const child = spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
      const run: CliRun = {
        child,
        stdout: '',
        stderr: '',
        exit: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
      };
      child.stdout?.on('data', (d: Buffer) => (run.stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (run.stderr += d.toString()));
      runs.push(run);
      return run;
    },
    async stopAll() {
      for (const run of runs.splice(0)) {
        // Only our own child, by its pid, and only if it is still running.
        if (run.child.exitCode === null && run.child.signalCode === null && run.child.pid !== undefined) {
          process.kill(run.child.pid, 'SIGKILL');
          await run.exit;
        }
      }
    },
  };
}

/** Resolves with the first match of `pattern` in the run's stdout; rejects if the CLI exits first. */
export async function waitForStdout(run: CliRun, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(run.stdout);
    if (match !== null) return match;
    if (run.child.exitCode !== null) throw new Error(`cli exited: ${run.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
