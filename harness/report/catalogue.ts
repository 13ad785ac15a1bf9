/**
 * The fault catalogue (`../shared/SCENARIOS.md`) as data, so the scorecard and the audit can list
 * every row — including the ones no test covers yet — without a copy of the shared folder.
 * `tests/unit/report-catalogue.test.ts` checks it against SCENARIOS.md when that file is present.
 */
export type Tier = 'NET' | 'NAT' | 'SIG' | 'TURN' | 'BRW' | 'DATA' | 'RES' | 'TIME' | 'SEC' | 'CAS' | 'MON';

export const TIERS: readonly Tier[] = ['NET', 'NAT', 'SIG', 'TURN', 'BRW', 'DATA', 'RES', 'TIME', 'SEC', 'CAS', 'MON'];

/**
 * Escalation level (SCENARIOS.md "Escalation levels"): 1 one component fails cleanly, 2 several
 * components or resource limits, 3 corruption, hostile input, crashes during recovery, 4 cascades.
 */
export type Level = 1 | 2 | 3 | 4;

export interface CatalogueRow {
  id: string;
  tier: Tier;
  level: Level;
  /** True when SCENARIOS.md names the row's level; false when we assigned it (see `why`). */
  levelFromCatalogue: boolean;
  fault: string;
  expected: string;
  /** Registered fault names (harness/faults/registry.ts) that inject this row's fault. */
  faults: readonly string[];
  /** A recovery-time target stated by the catalogue; slower recoveries are "degraded". */
  recoverWithinMs?: number;
}

const row = (id: string, level: Level, levelFromCatalogue: boolean, fault: string, expected: string, faults: readonly string[], recoverWithinMs?: number): CatalogueRow => ({
  id,
  tier: id.split('-')[0] as Tier,
  level,
  levelFromCatalogue,
  fault,
  expected,
  faults,
  ...(recoverWithinMs === undefined ? {} : { recoverWithinMs }),
});

// Levels marked `false` are ours: SCENARIOS.md lists examples per level, not every row. We put a
// single clean failure at 1, degraded or combined conditions at 2, and attacks/corruption at 3.
export const CATALOGUE: readonly CatalogueRow[] = [
  row('NET-1', 1, true, 'WebRTC path cut at 50% progress for 3 s, then restored', 'resumes within 5 s of restore, from checkpoint', ['turn-proxy-toxics', 'net-cut-link'], 5_000),
  row('NET-2', 1, false, 'browser offline (CDP / context.setOffline) for signaling and HTTP', 'app shows offline, signaling reconnects with backoff, transfer completes', ['browser-offline']),
  row('NET-3', 2, true, 'lossy, slow link: 5% loss, 100 ms delay, bandwidth cap', 'completes; throughput and progress reported', ['turn-proxy-toxics', 'net-shape-link']),
  row('NET-4', 2, true, 'flapping link: cut 1 s in every 5 s, several times', 'completes; no chunk lost or written twice', ['turn-proxy-toxics', 'net-cut-link']),
  row('NET-5', 1, false, 'STUN / direct ICE blocked (no host or srflx path)', 'falls back to TURN relay and completes', ['net-block']),
  row('NET-6', 2, true, "the peer's address changes mid-transfer (its interface renumbered, as on a Wi-Fi → cellular move)", 'new candidates, ICE restart or a new peer; resumes from checkpoint', []),
  row('NAT-1', 2, true, 'both peers behind endpoint-independent ("full cone") NAT', 'direct via server-reflexive candidates, no relay; completes', []),
  row('NAT-2', 2, true, 'both behind port-restricted cone NAT', 'direct via hole punching (srflx/prflx), no relay; completes', []),
  row('NAT-3', 2, true, 'sender behind symmetric NAT, receiver behind port-restricted cone', 'no direct path: relay; completes', []),
  row('NAT-4', 2, true, 'both behind symmetric NAT', 'relay; completes', []),
  row('NAT-5', 2, true, 'UDP blocked, only TCP 443 out (corporate firewall)', 'TURN over TCP on 443 (TLS where the browser accepts it); completes', []),
  row('NAT-6', 2, true, "NAT rebinding mid-transfer (the router's mappings flushed: new external port)", 'consent fails, ICE restart or a new peer; resumes from checkpoint', []),
  row('SIG-1', 1, true, 'signaling killed (SIGKILL) mid-transfer, restarted later', 'transfer continues on the open channel; clients reconnect with backoff and rejoin', ['kill-signaling']),
  row('SIG-2', 1, false, 'signaling down when peers start', 'clear status shown, retries, connects once it is up', ['kill-signaling']),
  row('SIG-3', 2, false, 'signaling messages dropped, delayed, duplicated, reordered', 'peers still connect (idempotent handling)', ['mangle-signaling', 'signaling-chaos']),
  row('SIG-4', 3, true, 'malformed and hostile input (bad JSON, huge frames, binary, prototype pollution, unknown types)', 'server stays up, answers an error, other rooms unaffected, memory bounded', []),
  row('SIG-5', 2, false, 'SIGTERM; SIGKILL then restart; startup with a corrupt config', 'clean shutdown notice; clean restart; clear error and exit 1', []),
  row('TURN-1', 1, true, 'coturn killed mid-transfer on a relay-only path, restarted', 'new allocation, transfer resumes from checkpoint', ['kill-turn']),
  row('TURN-2', 1, false, 'TURN over UDP blocked', 'falls back to TURN over TCP and completes', ['turn-proxy-block-udp']),
  row('TURN-3', 2, false, 'first TURN server unreachable, a second one configured', 'uses the second one', ['turn-proxy-toxics']),
  row('TURN-4', 1, false, 'wrong or expired TURN credentials', 'a clear error, not a silent hang', []),
  row('BRW-1', 1, true, 'receiver tab crashes (renderer) at 50%', 'reopened tab recovers state from IndexedDB and resumes', ['crash-tab', 'kill-tab-processes']),
  row('BRW-2', 2, false, 'receiver browser process SIGKILLed at 50%', 'relaunched with the same profile, resumes', ['kill-browser']),
  row('BRW-3', 2, false, 'sender tab crashes; the user selects the same file again', 'only missing chunks are sent', ['crash-tab', 'kill-tab-processes']),
  row('BRW-4', 3, true, 'both peers crash', 'both recover, transfer completes', ['crash-tab', 'kill-tab-processes', 'kill-browser']),
  row('DATA-1', 3, true, 'a chunk corrupted on the wire (bytes flipped inside the DataChannel payload)', 'caught by BLAKE3, chunk fetched again; zero false negatives over many random corruptions', ['corrupt-wire']),
  row('DATA-2', 3, true, 'chunk messages truncated, duplicated, reordered', 'detected or handled; file correct', ['mangle-frames']),
  row('DATA-3', 3, true, 'a stored chunk corrupted at rest in IndexedDB before resume', 'detected, fetched again', ['corrupt-at-rest']),
  row('DATA-4', 3, true, 'the sender selects a different file under the same name to resume', 'resume refused with a clear message', []),
  row('RES-1', 2, true, 'receiver storage full (IndexedDB quota exhausted) mid-transfer', 'graceful "storage full" error, transfer paused, no data lost; resumes when space is freed', ['fill-disk']),
  row('RES-2', 2, true, 'a large file (1 GiB and up)', 'completes with bounded browser memory', []),
  row('RES-3', 2, true, 'CPU starvation of one peer (CDP CPU throttling)', 'completes', ['cpu-throttle', 'cpu-quota']),
  row('TIME-1', 2, true, "one peer's clock skewed by +5 min and by -5 min", 'tokens, nonces and checkpoints still valid; transfer completes', ['clock-skew']),
  row('TIME-2', 2, true, 'the receiver tab in the background (timers throttled)', 'transfer continues', []),
  row('SEC-1', 3, true, 'a third peer joins the room and asks to resume a transfer', 'refused: resume needs proof of the session key', []),
  row('SEC-2', 3, true, 'joining a room without its token', 'refused', []),
  row('SEC-3', 3, true, 'TURN credentials used after expiry; chaos control API without its key', 'refused', []),
  row('SEC-4', 3, true, "reading a checkpoint's session key from IndexedDB", 'stored encrypted (non-extractable key), not in clear', []),
  row('CAS-1', 4, true, 'signaling down + TURN restart + lossy link + receiver crash, overlapping', 'completes with integrity; time to recover reported', ['kill-signaling', 'kill-turn', 'turn-proxy-toxics', 'crash-tab', 'kill-tab-processes']),
  row('MON-1', 4, true, 'faults drawn at random from the registry (what this machine supports), times and parameters from a seed, over one transfer', 'completes with integrity; the schedule is saved as an experiment file that replays exactly; a failing schedule is shrunk to a smaller one that still fails', ['kill-turn', 'kill-signaling', 'signaling-chaos', 'turn-proxy-toxics', 'turn-proxy-block-udp', 'browser-offline', 'cpu-throttle', 'cpu-quota', 'crash-tab', 'kill-tab-processes']),
];

/** The scenario ID a test title or file name starts with (`NET-1: …`, `net-1-path-cut.spec.ts`). */
export function scenarioIdOf(text: string): string | undefined {
  const m = /^\s*(NET|SIG|TURN|BRW|DATA|RES|TIME|SEC|CAS|MON)-(\d+)\b/i.exec(text);
  return m ? `${m[1]!.toUpperCase()}-${m[2]}` : undefined;
}

export function catalogueRow(id: string): CatalogueRow | undefined {
  return CATALOGUE.find((r) => r.id === id);
}
