/** A program and its arguments, ready for spawn(). */
export interface CommandLine {
  command: string;
  args: string[];
}

/**
 * The command line that runs `command` inside network namespace `ns`. `ip netns exec` execs the
 * command in place (same PID, same inherited file descriptors), so a ManagedProcess or Playwright
 * pipe built on it sees the real server or browser, not a wrapper.
 */
export function netnsCommand(ns: string, command: string, args: string[] = []): CommandLine {
  return { command: 'ip', args: ['netns', 'exec', ns, command, ...args] };
}

/** What a readiness probe knocks on, from inside the server's namespace. */
export type ReadyTarget = { kind: 'http'; url: string } | { kind: 'stun'; host: string; port: number };

export interface ReadyProbe {
  /** Resolves when the target answered; rejects with the probe's last error when it never did. */
  readonly done: Promise<void>;
  /** Ends the probe early (by its PID), e.g. because the server it waits for exited. */
  cancel(): void;
}

/**
 * Probes `target` from inside namespace `ns` for up to `timeoutMs`. The harness implements it
 * (harness/netns/ready-in-netns.ts) and hands it to servers, so turn/ needs no harness import.
 */
export type ProbeReadyInNetns = (ns: string, target: ReadyTarget, timeoutMs: number) => ReadyProbe;
