import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { HarnessError } from '../errors.js';

const run = promisify(execFile);

/**
 * Mount points this helper may create: a profile dir inside a test's work dir
 * (`<tmpdir>/harness-t<worker>-XXXX/profile-<peer>`, see fixtures.ts and browser/peer.ts). The
 * global-teardown sweep removes only mounts whose path matches, never anyone else's.
 */
const OURS = new RegExp(`^${escapeRegExp(os.tmpdir())}/harness-t\\d+-[^/]+/profile-[^/]+$`);

export interface TmpfsMount {
  readonly dir: string;
  readonly sizeBytes: number;
  /** Unmounts; lazily (`umount -l`) when a process still holds files there. Safe to call twice. */
  unmount(): Promise<void>;
}

/**
 * Mounts a tmpfs of `sizeBytes` on `dir` (created if missing, must be empty): a disk that can
 * really fill up, for RES-1. Needs root (CAP_SYS_ADMIN) and Linux.
 */
export async function mountTmpfs(dir: string, sizeBytes: number): Promise<TmpfsMount> {
  if (!OURS.test(dir)) {
    throw new HarnessError('ERR_CONFIG', `refusing to mount a tmpfs on ${dir}: not a peer profile dir inside a test work dir`, {
      hint: 'Pass profileDirFor(workDir, name) from harness/browser/peer.ts.',
    });
  }
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw new HarnessError('ERR_CONFIG', `refusing to mount a tmpfs over the non-empty ${dir}`, { hint: 'Mount before the peer launches.' });
  const sizeKib = Math.ceil(sizeBytes / 1024);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKib}k,mode=0700`, 'harness-tmpfs', dir]);
  } catch (err) {
    throw new HarnessError('ERR_CONFIG', `mount -t tmpfs on ${dir} failed: ${(err as { stderr?: string }).stderr?.trim() ?? String(err)}`, {
      hint: 'Run as root on Linux (the RES-1 fault declares needs: root).',
      cause: err,
    });
  }
  let mounted = true;
  return {
    dir,
    sizeBytes: sizeKib * 1024,
    async unmount() {
      if (!mounted) return;
      mounted = false;
      await unmountDir(dir);
    },
  };
}

/** `umount`, and `umount -l` if the tree is busy: the mount leaves now, its memory when the last file closes. */
async function unmountDir(dir: string): Promise<void> {
  try {
    await run('umount', [dir]);
  } catch {
    await run('umount', ['-l', dir]).catch((err: unknown) => {
      throw new HarnessError('ERR_CONFIG', `could not unmount the tmpfs on ${dir}: ${String(err)}`, { hint: `Run \`umount -l ${dir}\` as root.` });
    });
  }
}

/** Our tmpfs mounts still present (a worker that died before its teardown), from /proc/self/mounts. */
export function leftoverTmpfsMounts(mountsText = safeRead('/proc/self/mounts')): string[] {
  return mountsText
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f[0] === 'harness-tmpfs' && f[2] === 'tmpfs' && f[1] !== undefined && OURS.test(unescapeMountPath(f[1])))
    .map((f) => unescapeMountPath(f[1]!));
}

/** Lazily unmounts every leftover; returns what it removed. For global teardown. */
export async function sweepLeftoverTmpfs(): Promise<string[]> {
  const dirs = leftoverTmpfsMounts();
  for (const dir of dirs) await unmountDir(dir).catch(() => undefined);
  return dirs;
}

/** Free bytes on the filesystem holding `dir` (for the filler and for test assertions). */
export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
