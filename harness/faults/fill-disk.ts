import fs from 'node:fs';
import path from 'node:path';
import { freeBytes } from '../process/tmpfs-mount.js';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface FillDiskParams {
  /** Free bytes to leave on the filesystem; 0 = write until the kernel says ENOSPC. */
  leaveFreeBytes: number;
}

/** Filler written in blocks of this size; the last one is cut to what is left. */
const BLOCK_BYTES = 1024 * 1024;
const FILLER_NAME = '.harness-disk-filler';

/**
 * Fills the filesystem holding `dir` (a small tmpfs mounted on a peer's profile dir, see
 * harness/process/tmpfs-mount.ts) with one filler file, so the browser's next write fails for
 * real: the engine, not the harness, decides which error the page sees. Heal deletes the filler:
 * the space comes back at once, as when a user frees disk space.
 */
export const fillDisk = registerFault<FillDiskParams, { dir: string }>({
  name: 'fill-disk',
  summary: 'fill the filesystem under a peer’s profile (a tmpfs) with a filler file until ENOSPC; heal deletes it',
  needs: { root: true, linux: true, binaries: ['mount', 'umount'] },
  create(params, { dir }): Fault<FillDiskParams> {
    const filler = path.join(dir, FILLER_NAME);
    return {
      name: 'fill-disk',
      params,
      async inject() {
        const fd = fs.openSync(filler, 'w');
        const block = Buffer.alloc(BLOCK_BYTES, 0xa5);
        try {
          for (;;) {
            const room = freeBytes(dir) - params.leaveFreeBytes;
            if (room <= 0) break;
            fs.writeSync(fd, block, 0, Math.min(BLOCK_BYTES, room));
          }
        } catch (err) {
          // ENOSPC is the goal (the free-space reading lags the last block); anything else is not.
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
        } finally {
          fs.closeSync(fd);
        }
      },
      async heal() {
        fs.rmSync(filler, { force: true });
      },
    };
  },
});
