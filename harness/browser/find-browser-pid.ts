import fs from 'node:fs';

/**
 * The PID of the browser process started on `profileDir`: the one whose command line names that
 * profile and is not a child (renderer, GPU, utility processes carry `--type=`). Playwright does
 * not expose it for persistent contexts; we need it to SIGKILL one peer's browser (BRW-2).
 */
export function findBrowserPid(profileDir: string): number | undefined {
  const marker = `--user-data-dir=${profileDir}`;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv.includes(marker) && !argv.some((a) => a.startsWith('--type='))) return Number(entry);
  }
  return undefined;
}
