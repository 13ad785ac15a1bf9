import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { HarnessError } from '../errors.js';
import { SUBNET_SLOTS } from './addressing.js';
import { processStartTicks } from '../process/pid-registry.js';

/**
 * One file per live topology in a directory under os.tmpdir(): it claims the topology's address
 * slot (created with O_EXCL, so two workers never get the same 10.77.<slot>.0/24) and lists the
 * namespaces it made, with the owning process. A sweep after a crash deletes the namespaces of
 * claims whose owner is gone (cleanup.ts).
 */
export const NETNS_REGISTRY_DIR = process.env.HARNESS_NETNS_DIR ?? path.join(os.tmpdir(), 'wrh-netns');

export interface TopologyClaim {
  topology: string;
  slot: number;
  namespaces: string[];
  ownerPid: number;
  /** Start time of the owner in clock ticks since boot: a reused PID is not mistaken for the owner. */
  ownerStartTicks: string;
  createdAt: string;
}

function claimPath(slot: number, dir: string): string {
  return path.join(dir, `slot-${slot}.json`);
}

/** Claims a free address slot for `topology`, starting at a random one so parallel claims rarely collide. */
export function claimSlot(topology: string, namespaces: string[], dir = NETNS_REGISTRY_DIR): TopologyClaim {
  fs.mkdirSync(dir, { recursive: true });
  const start = randomInt(SUBNET_SLOTS);
  for (let i = 0; i < SUBNET_SLOTS; i++) {
    const slot = (start + i) % SUBNET_SLOTS;
    const claim: TopologyClaim = {
      topology,
      slot,
      namespaces,
      ownerPid: process.pid,
      ownerStartTicks: processStartTicks(process.pid) ?? '',
      createdAt: new Date().toISOString(),
    };
    try {
      fs.writeFileSync(claimPath(slot, dir), JSON.stringify(claim, null, 2), { flag: 'wx' });
      return claim;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOENT: the last other claim was released and took the folder with it; make it again.
      if (code === 'ENOENT') {
        fs.mkdirSync(dir, { recursive: true });
        i--;
        continue;
      }
      if (code !== 'EEXIST') throw err;
    }
  }
  throw new HarnessError('ERR_NETNS_BUSY', `all ${SUBNET_SLOTS} address slots in ${dir} are claimed`, {
    context: { dir },
    hint: "Crashed runs leave claims behind: call sweepStale() from harness/netns/cleanup.ts (or delete the directory when no harness runs).",
  });
}

export function releaseSlot(slot: number, dir = NETNS_REGISTRY_DIR): void {
  fs.rmSync(claimPath(slot, dir), { force: true });
  // The last claim out removes the folder: a finished run leaves nothing in the temp dir.
  try {
    fs.rmdirSync(dir);
  } catch {
    // other topologies still hold claims, or it is already gone
  }
}

export function readClaims(dir = NETNS_REGISTRY_DIR): TopologyClaim[] {
  if (!fs.existsSync(dir)) return [];
  const claims: TopologyClaim[] = [];
  for (const file of fs.readdirSync(dir)) {
    if (!/^slot-\d+\.json$/.test(file)) continue;
    try {
      claims.push(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as TopologyClaim);
    } catch {
      // Half-written by a claimer right now, or corrupt: not provably stale, so left alone.
    }
  }
  return claims;
}

/** The owning process still runs (same PID and same start time). */
export function claimIsLive(claim: TopologyClaim): boolean {
  return claim.ownerStartTicks !== '' && processStartTicks(claim.ownerPid) === claim.ownerStartTicks;
}
