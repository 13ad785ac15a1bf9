import type { TurnEndpoint } from '../../turn/types.js';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface KillTurnParams {
  /** Informational: how long the test keeps coturn down before healing. */
  downMs?: number;
}

/** SIGKILLs coturn (allocations vanish as in a crash); heal starts it again on the same ports. */
export const killTurn = registerFault<KillTurnParams, { turn: TurnEndpoint }>({
  name: 'kill-turn',
  summary: 'SIGKILL the coturn process; heal restarts it on the same ports and secret',
  needs: { managedTurn: true },
  create(params, { turn }): Fault<KillTurnParams> {
    let killed = false;
    return {
      name: 'kill-turn',
      params,
      async inject() {
        killed = true;
        await turn.kill();
      },
      async heal() {
        if (!killed) return;
        killed = false;
        await turn.restart();
      },
    };
  },
});
