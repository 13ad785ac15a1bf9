import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Gives the run a PID registry that every worker inherits (see process/pid-registry.ts). */
export default function globalSetup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webrtc-harness-pids-'));
  process.env.HARNESS_PID_DIR = dir;
}
