import type { FaultEvidence } from './fault.js';

/**
 * Proof that a kill-and-restart fault acted: the process the harness killed was running before,
 * was gone after the kill, and a different process serves after the restart.
 */
export function restartEvidence(what: string, pidBefore: number | undefined, goneAfterKill: boolean, pidAfter: number | undefined): FaultEvidence {
  const acted = pidBefore !== undefined && goneAfterKill && pidAfter !== undefined && pidAfter !== pidBefore;
  return {
    acted,
    facts: { pidBefore, goneAfterKill, pidAfter },
    summary: `${what}: pid ${pidBefore ?? '?'} ${goneAfterKill ? 'killed (gone)' : 'NOT gone after the kill'}, restarted as pid ${pidAfter ?? '?'}`,
  };
}
