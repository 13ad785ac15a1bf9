import fs from 'node:fs';

/**
 * The PID of the browser process started on `profileDir`: the one whose command line names that
 * profile and is not a child. Playwright does not expose it for persistent contexts; we need it
 * to SIGKILL one peer's browser (BRW-2).
 * - Chromium: `--user-data-dir=<dir>`; renderer, GPU and utility children carry `--type=`.
 * - Firefox: `--profile <dir>` (Playwright's BiDi launcher) or `-profile <dir>` (Juggler);
 *   content and utility children carry `-contentproc` and no profile argument.
 */
export function findBrowserPid(profileDir: string): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (namesProfile(argv, profileDir) && !isChildProcess(argv)) return Number(entry);
  }
  return undefined;
}

function namesProfile(argv: string[], profileDir: string): boolean {
  if (argv.includes(`--user-data-dir=${profileDir}`)) return true;
  return argv.some((a, i) => (a === '--profile' || a === '-profile') && argv[i + 1] === profileDir);
}

function isChildProcess(argv: string[]): boolean {
  return argv.some((a) => a.startsWith('--type=') || a === '-contentproc');
}
