import type { Peer } from '../browser/peer.js';
import type { Fault, FaultEvidence } from './fault.js';
import { pidAlive } from '../../lib/process/pid-alive.js';
import { registerFault } from './registry.js';

export type KillBrowserParams = Record<string, never>;

/** SIGKILLs one peer's whole browser by its PID: no unload, no flush. Heal makes sure it is gone. */
export const killBrowser = registerFault<KillBrowserParams, { peer: Peer }>({
  name: 'kill-browser',
  summary: 'SIGKILL one peer’s browser process by PID (its profile dir is kept for a relaunch)',
  needs: {},
  create(params, { peer }): Fault<KillBrowserParams> {
    let proof: FaultEvidence | undefined;
    return {
      name: 'kill-browser',
      params,
      async inject() {
        const pid = peer.pid;
        await peer.kill();
        const gone = pid !== undefined && !pidAlive(pid);
        proof = { acted: gone, facts: { pidKilled: pid, goneAfterKill: gone }, summary: `browser of peer ${peer.name}: pid ${pid ?? '?'} ${gone ? 'SIGKILLed (gone)' : 'NOT gone after SIGKILL'}` };
      },
      evidence: () => proof,
      async heal() {
        // Relaunching is the test's move (same profile); teardown closes whatever runs.
      },
    };
  },
});
