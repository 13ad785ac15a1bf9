import type { TurnEndpoint } from '../../turn/types.js';
import type { Fault } from './fault.js';
import { pidAlive } from '../../lib/process/pid-alive.js';
import { restartEvidence } from './restart-evidence.js';
import { registerFault } from './registry.js';

export interface KillTurnParams {
  /** Informational: how long the test keeps coturn down before healing. */
  downMs?: number;
}

/** SIGKILLs coturn (allocations vanish as in a crash); heal starts it again on the same ports. */
/** -1 (never started) and absent (external server) both mean: no process of ours. */
const livePid = (pid: number | undefined): number | undefined => (pid !== undefined && pid > 0 ? pid : undefined);

export const killTurn = registerFault<KillTurnParams, { turn: TurnEndpoint }>({
  name: 'kill-turn',
  summary: 'SIGKILL the coturn process; heal restarts it on the same ports and secret',
  needs: { managedTurn: true },
  create(params, { turn }): Fault<KillTurnParams> {
    let killed = false;
    let pidBefore: number | undefined;
    let goneAfterKill = false;
    let pidAfter: number | undefined;
    let healed = false;
    return {
      name: 'kill-turn',
      params,
      async inject() {
        killed = true;
        healed = false;
        pidBefore = livePid(turn.pid);
        await turn.kill();
        goneAfterKill = pidBefore !== undefined && !pidAlive(pidBefore);
      },
      async heal() {
        if (!killed) return;
        killed = false;
        await turn.restart();
        pidAfter = livePid(turn.pid);
        healed = true;
      },
      evidence: () => (healed ? restartEvidence('coturn', pidBefore, goneAfterKill, pidAfter) : undefined),
    };
  },
});
