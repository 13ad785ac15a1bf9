/**
 * A fault is a small object that breaks one thing for real and can put it back (Toxiproxy's
 * toxics). `heal()` must be safe to call at any time, twice, or without `inject()`: fixtures call
 * it in teardown whatever happened in the test.
 */
export interface Fault<P extends object = object> {
  /** Registered name, e.g. `kill-turn`. */
  readonly name: string;
  /** Plain, JSON-serialisable parameters with units in their names (durationMs, lossPercent…). */
  readonly params: Readonly<P>;
  inject(): Promise<void>;
  heal(): Promise<void>;
}

/** What a fault needs from the machine. A fault whose needs are missing makes its test SKIP. */
export interface FaultNeeds {
  /** Root (CAP_NET_ADMIN) for nft, tc, ip netns. */
  root?: boolean;
  /** Executables that must be on PATH (e.g. `nft`, `tc`, `ip`). */
  binaries?: string[];
  /** The fault acts through the Chrome DevTools Protocol: Chromium peers only. */
  chromiumCdp?: boolean;
  /** A TURN server the harness started itself (it can kill and restart it). */
  managedTurn?: boolean;
}

/** Registered fault kinds, so an experiment written as data can name them. */
export interface FaultDefinition<P extends object, C> {
  name: string;
  /** One line for the README and the report. */
  summary: string;
  needs: FaultNeeds;
  create(params: P, ctx: C): Fault<P>;
}
