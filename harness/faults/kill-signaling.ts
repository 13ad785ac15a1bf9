import type { SignalingProcess } from '../servers/signaling-process.js';
import type { Fault } from './fault.js';
import { pidAlive } from '../../lib/process/pid-alive.js';
import { restartEvidence } from './restart-evidence.js';
import { registerFault } from './registry.js';

export interface KillSignalingParams {
  /** SIGKILL (crash, no goodbye) or SIGTERM (clean shutdown with going-away). */
  signal: 'SIGKILL' | 'SIGTERM';
}

/** Ends the signaling server process; heal starts it again on the same port (memory empty). */
export const killSignaling = registerFault<KillSignalingParams, { signaling: SignalingProcess }>({
  name: 'kill-signaling',
  summary: 'SIGKILL (or SIGTERM) the signaling server; heal restarts it on the same port',
  needs: {},
  create(params, { signaling }): Fault<KillSignalingParams> {
    let down = false;
    let pidBefore: number | undefined;
    let goneAfterKill = false;
    let pidAfter: number | undefined;
    let healed = false;
    return {
      name: 'kill-signaling',
      params,
      async inject() {
        down = true;
        healed = false;
        pidBefore = signaling.pid;
        await (params.signal === 'SIGKILL' ? signaling.kill() : signaling.terminate());
        goneAfterKill = pidBefore !== undefined && !pidAlive(pidBefore);
      },
      async heal() {
        if (!down) return;
        down = false;
        await signaling.restart();
        pidAfter = signaling.pid;
        healed = true;
      },
      evidence: () => (healed ? restartEvidence(`signaling (${params.signal})`, pidBefore, goneAfterKill, pidAfter) : undefined),
    };
  },
});
