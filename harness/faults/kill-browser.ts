import type { Peer } from '../browser/peer.js';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export type KillBrowserParams = Record<string, never>;

/** SIGKILLs one peer's whole browser by its PID: no unload, no flush. Heal makes sure it is gone. */
export const killBrowser = registerFault<KillBrowserParams, { peer: Peer }>({
  name: 'kill-browser',
  summary: 'SIGKILL one peer’s browser process by PID (its profile dir is kept for a relaunch)',
  needs: {},
  create(params, { peer }): Fault<KillBrowserParams> {
    return {
      name: 'kill-browser',
      params,
      inject: () => peer.kill(),
      async heal() {
        // Relaunching is the test's move (same profile); teardown closes whatever runs.
      },
    };
  },
});
