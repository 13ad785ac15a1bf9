import fs from 'node:fs';
import { reapRecorded } from './process/pid-registry.js';

/** Ends any process a worker started and could not stop (a crashed or killed worker). */
export default function globalTeardown(): void {
  const dir = process.env.HARNESS_PID_DIR;
  if (!dir) return;
  const reaped = reapRecorded(dir);
  if (reaped.length > 0) console.warn(`harness: ended ${reaped.length} leftover process(es): ${reaped.join(', ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
}
