import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import { HarnessError } from '../errors.js';
import { pidAlive } from '../../lib/process/pid-alive.js';

const run = promisify(execFile);

/**
 * Mount points this helper may create: a profile dir inside a test's work dir
 * (`<tmpdir>/harness-t<worker>-XXXX/profile-<peer>`, see fixtures.ts and browser/peer.ts). The
 * global-teardown sweep removes only mounts whose path matches and whose owner is dead, never
 * anyone else's.
 */
const OURS = new RegExp(`^${escapeRegExp(os.tmpdir())}/harness-t\\d+-[^/]+/profile-[^/]+$`);

/**
 * The mount's source names the process that made it (`harness-tmpfs-pid<pid>`), recorded by the
 * kernel with the mount itself: the sweep unmounts only mounts whose owner is dead, so one run's
 * teardown never pulls a concurrent run's live RES-1 profile out from under its browser.
 */
const SOURCE_PREFIX = 'harness-tmpfs-pid';
const OWNED_SOURCE = /^harness-tmpfs-pid([1-9]\d*)$/;

export interface TmpfsMount {
  readonly dir: string;
  /** The process whose death makes this mount a leftover for the global-teardown sweep. */
  readonly ownerPid: number;
  readonly sizeBytes: number;
  /** Unmounts; lazily (`umount -l`) when a process still holds files there. Safe to call twice. */
  unmount(): Promise<void>;
}

/**
 * Mounts a tmpfs of `sizeBytes` on `dir` (created if missing, must be empty): a disk that can
 * really fill up, for RES-1. Needs root (CAP_SYS_ADMIN) and Linux. Owned by this process unless
 * `ownerPid` names another (the sweep leaves the mount alone while that process lives).
 */
export async function mountTmpfs(dir: string, sizeBytes: number, opts: { ownerPid?: number } = {}): Promise<TmpfsMount> {
  const ownerPid = opts.ownerPid ?? process.pid;
  if (!Number.isSafeInteger(ownerPid) || ownerPid <= 0) {
    throw new HarnessError('ERR_CONFIG', `refusing to mount a tmpfs owned by pid ${ownerPid}: not a process id`, {
      context: { dir, ownerPid },
      hint: 'Leave ownerPid out (this process owns the mount) or pass the pid of a live process.',
    });
  }
  if (!OURS.test(dir)) {
    throw new HarnessError('ERR_CONFIG', `refusing to mount a tmpfs on ${dir}: not a peer profile dir inside a test work dir`, {
      hint: 'Pass profileDirFor(workDir, name) from harness/browser/peer.ts.',
    });
  }
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length > 0) throw new HarnessError('ERR_CONFIG', `refusing to mount a tmpfs over the non-empty ${dir}`, { hint: 'Mount before the peer launches.' });
  const sizeKib = Math.ceil(sizeBytes / 1024);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKib}k,mode=0700`, `${SOURCE_PREFIX}${ownerPid}`, dir]);
  } catch (err) {
    throw new HarnessError('ERR_CONFIG', `mount -t tmpfs on ${dir} failed: ${(err as { stderr?: string }).stderr?.trim() ?? String(err)}`, {
      hint: 'Run as root on Linux (the RES-1 fault declares needs: root).',
      cause: err,
    });
  }
  let mounted = true;
  return {
    dir,
    ownerPid,
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

/** Our tmpfs mounts present now, with the pid that made each, from /proc/self/mounts. */
export function ownedTmpfsMounts(mountsText = safeRead('/proc/self/mounts')): { dir: string; ownerPid: number }[] {
  return mountsText.split('\n').flatMap((line) => {
    const [source, mountPoint, fsType] = line.split(' ');
    const owner = source === undefined ? null : OWNED_SOURCE.exec(source);
    if (owner === null || fsType !== 'tmpfs' || mountPoint === undefined) return [];
    const dir = unescapeMountPath(mountPoint);
    return OURS.test(dir) ? [{ dir, ownerPid: Number(owner[1]) }] : [];
  });
}

/**
 * Our tmpfs mounts whose owner is dead (a worker that died before its teardown). A mount whose
 * owner still runs (this run's live test, or a concurrent run's) is never a leftover; nor is one
 * without an owner in its source (made by an older harness: whose it is cannot be told).
 */
export function leftoverTmpfsMounts(mountsText = safeRead('/proc/self/mounts'), isAlive: (pid: number) => boolean = pidAlive): string[] {
  return ownedTmpfsMounts(mountsText)
    .filter((m) => !isAlive(m.ownerPid))
    .map((m) => m.dir);
}

/** Lazily unmounts every leftover (owner dead); returns what it removed. For global teardown. */
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
