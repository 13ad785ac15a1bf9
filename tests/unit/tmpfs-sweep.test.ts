import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountTmpfs, sweepLeftoverTmpfs } from '../../harness/process/tmpfs-mount.js';

const MIB = 1024 * 1024;
const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
if (!isRoot) console.warn('skipped: the tmpfs sweep tests need root on Linux (mount -t tmpfs)');

/** Read straight from the kernel, not through the module under test. */
function mountedAt(dir: string): string | undefined {
  const line = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[1] === dir);
  return line?.split(' ')[0];
}

describe('the global-teardown tmpfs sweep (RES-1) leaves a live owner’s mount alone', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const dir of dirs) {
      for (const profile of fs.existsSync(dir) ? fs.readdirSync(dir).map((n) => path.join(dir, n)) : []) {
        if (mountedAt(profile) !== undefined) execFileSync('umount', ['-l', profile]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  function profileDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-t0-'));
    dirs.push(dir);
    return path.join(dir, 'profile-receiver');
  }

  it.skipIf(!isRoot)('keeps a mount whose owner (this process) is alive', async () => {
    const dir = profileDir();
    const mount = await mountTmpfs(dir, 4 * MIB);
    expect(mount.ownerPid).toBe(process.pid);
    expect(mountedAt(dir)).toBe(`harness-tmpfs-pid${process.pid}`);
    const swept = await sweepLeftoverTmpfs();
    expect(swept).not.toContain(dir);
    expect(mountedAt(dir), 'still mounted after the sweep').toBeDefined();
    await mount.unmount();
    expect(mountedAt(dir)).toBeUndefined();
  });

  it.skipIf(!isRoot)('keeps a concurrent run’s mount while its owner lives, sweeps it once the owner is dead', async () => {
    const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(owner);
    const ownerPid = owner.pid!;
    const exited = new Promise<void>((resolve) => owner.once('exit', () => resolve()));
    const dir = profileDir();
    await mountTmpfs(dir, 4 * MIB, { ownerPid });
    expect(mountedAt(dir)).toBe(`harness-tmpfs-pid${ownerPid}`);

    expect(await sweepLeftoverTmpfs()).not.toContain(dir);
    expect(mountedAt(dir), 'the live owner’s mount survives the sweep').toBeDefined();
    fs.writeFileSync(path.join(dir, 'in-use'), 'the other run is writing here');

    process.kill(ownerPid, 'SIGKILL');
    await exited;
    expect(await sweepLeftoverTmpfs()).toContain(dir);
    expect(mountedAt(dir), 'the dead owner’s mount is gone').toBeUndefined();
  });

  it.skipIf(!isRoot)('keeps a mount that names no owner (an older harness made it; whose it is cannot be told)', async () => {
    const dir = profileDir();
    fs.mkdirSync(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4096k,mode=0700', 'harness-tmpfs', dir]);
    expect(await sweepLeftoverTmpfs()).not.toContain(dir);
    expect(mountedAt(dir)).toBe('harness-tmpfs');
    execFileSync('umount', [dir]);
  });

  it('refuses an owner that is not a process id', async () => {
    await expect(mountTmpfs(profileDir(), 4 * MIB, { ownerPid: 0 })).rejects.toThrow(/ERR_CONFIG.*not a process id/);
  });
});
