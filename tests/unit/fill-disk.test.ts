import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fillDisk } from '../../harness/faults/fill-disk.js';
import { freeBytes, leftoverTmpfsMounts, mountTmpfs, ownedTmpfsMounts, type TmpfsMount } from '../../harness/process/tmpfs-mount.js';

const MIB = 1024 * 1024;
const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
if (!isRoot) console.warn('skipped: fill-disk/tmpfs tests need root on Linux (mount -t tmpfs)');

describe('tmpfs profile mounts and the fill-disk fault', () => {
  const mounts: TmpfsMount[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const m of mounts.splice(0)) await m.unmount();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  function workDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-t0-'));
    dirs.push(dir);
    return dir;
  }

  it('refuses to mount anywhere but a peer profile dir inside a test work dir', async () => {
    await expect(mountTmpfs('/tmp/not-ours', 8 * MIB)).rejects.toThrow(/ERR_CONFIG.*not a peer profile dir/);
  });

  it('finds only our leftover mounts in /proc/mounts text: our path, an owner pid in the source, the owner dead', () => {
    const dead = path.join(os.tmpdir(), 'harness-t3-AbC/profile-receiver');
    const live = path.join(os.tmpdir(), 'harness-t4-DeF/profile-receiver');
    const legacy = path.join(os.tmpdir(), 'harness-t5-GhI/profile-receiver');
    const text = [
      `harness-tmpfs-pid111 ${dead} tmpfs rw,size=8192k 0 0`,
      `harness-tmpfs-pid222 ${live} tmpfs rw,size=8192k 0 0`,
      `harness-tmpfs ${legacy} tmpfs rw,size=8192k 0 0`,
      'tmpfs /dev/shm tmpfs rw 0 0',
      'harness-tmpfs-pid111 /mnt/else tmpfs rw 0 0',
    ].join('\n');
    expect(leftoverTmpfsMounts(text, (pid) => pid === 222)).toEqual([dead]);
  });

  it.skipIf(!isRoot)('fills a real tmpfs to ENOSPC (or to leaveFreeBytes), heal gives the space back, unmount leaves nothing', async () => {
    const dir = path.join(workDir(), 'profile-receiver');
    const mount = await mountTmpfs(dir, 16 * MIB);
    mounts.push(mount);
    expect(ownedTmpfsMounts()).toContainEqual({ dir, ownerPid: process.pid });
    const before = freeBytes(dir);
    expect(before).toBeGreaterThan(15 * MIB);

    const full = fillDisk.create({ leaveFreeBytes: 0 }, { dir });
    await full.inject();
    expect(freeBytes(dir)).toBe(0);
    expect(() => fs.writeFileSync(path.join(dir, 'one-more'), Buffer.alloc(4096)), 'the kernel refuses a write').toThrow(/ENOSPC/);
    await full.heal();
    expect(freeBytes(dir)).toBe(before);

    const nearly = fillDisk.create({ leaveFreeBytes: 1 * MIB }, { dir });
    await nearly.inject();
    expect(freeBytes(dir)).toBeGreaterThanOrEqual(1 * MIB);
    expect(freeBytes(dir)).toBeLessThan(2 * MIB);
    await nearly.heal();
    await nearly.heal(); // twice is fine

    await mount.unmount();
    expect(ownedTmpfsMounts().map((m) => m.dir)).not.toContain(dir);
  });
});
