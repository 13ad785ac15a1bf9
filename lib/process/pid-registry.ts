import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Every process the harness starts is recorded here, so that global teardown can end the ones a
 * crashed worker left behind. Entries carry the process start time, so a reused PID that now
 * belongs to someone else is never signalled.
 */
const REGISTRY_DIR = process.env.HARNESS_PID_DIR ?? path.join(os.tmpdir(), `webrtc-harness-pids-${process.env.HARNESS_RUN_ID ?? process.pid}`);

interface PidEntry { pid: number; startTicks: string; label: string }

/** A process's start time in clock ticks: with the PID, it tells one process from a later reuse of its PID. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name in field 2 may hold spaces, so count from its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function registryDir(): string {
  return REGISTRY_DIR;
}

export function recordPid(pid: number, label: string): void {
  fs.mkdirSync(REGISTRY_DIR, { recursive: true });
  const entry: PidEntry = { pid, startTicks: processStartTicks(pid) ?? '', label };
  fs.writeFileSync(path.join(REGISTRY_DIR, `${pid}.json`), JSON.stringify(entry));
}

export function forgetPid(pid: number): void {
  fs.rmSync(path.join(REGISTRY_DIR, `${pid}.json`), { force: true });
  // The last one out removes the folder, so runs without a global teardown leave nothing behind.
  try {
    fs.rmdirSync(REGISTRY_DIR);
  } catch {
    // not empty (another process is still recorded), or already gone
  }
}

/** Kills (SIGKILL) every recorded process that is still the same process; returns their labels. */
export function reapRecorded(dir = REGISTRY_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  const reaped: string[] = [];
  for (const file of fs.readdirSync(dir)) {
    let entry: PidEntry;
    try {
      entry = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as PidEntry;
    } catch {
      continue;
    }
    if (entry.startTicks && processStartTicks(entry.pid) === entry.startTicks) {
      try {
        process.kill(entry.pid, 'SIGKILL');
        reaped.push(`${entry.label} (pid ${entry.pid})`);
      } catch {
        // already gone
      }
    }
    fs.rmSync(path.join(dir, file), { force: true });
  }
  return reaped;
}
