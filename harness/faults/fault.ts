import type { BrowserEngine } from '../browser/engine.js';

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
  /** In-run proof that it acted (see FaultEvidence); absent: this fault cannot count its effect yet. */
  evidence?(): FaultEvidence | undefined;
}

/** What a fault needs from the machine. A fault whose needs are missing makes its test SKIP. */
export interface FaultNeeds {
  /** Root (CAP_NET_ADMIN) for nft, tc, ip netns; CAP_SYS_ADMIN for mounts. */
  root?: boolean;
  /** Linux only (tmpfs mounts, /proc). */
  linux?: boolean;
  /** Executables that must be on PATH (e.g. `nft`, `tc`, `ip`). */
  binaries?: string[];
  /** The fault acts through the Chrome DevTools Protocol: Chromium peers only. */
  chromiumCdp?: boolean;
  /**
   * The browser engines the fault can act on, when not all of them (absent: every engine). A
   * scenario on a pair with another engine skips with the reason. Why, per fault: README table.
   */
  engines?: BrowserEngine[];
  /** The Linux cgroup CPU controller (v1 `cpu` or v2 `cpu.max`), writable: CPU quotas on a process tree. */
  cpuCgroup?: boolean;
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

/**
 * In-run proof that a fault acted, counted by the harness while it was on: packets dropped, a PID
 * that changed, bytes held back. A fault that offers it is checked by the chaos controller at heal:
 * `acted: false` fails the scenario (ERR_FAULT_DID_NOT_ACT), so a fault that turned into a no-op can
 * never let its scenario pass.
 */
export interface FaultEvidence {
  acted: boolean;
  /** The counted figures, units in the names (packetsDropped, pidBefore…). */
  facts: Record<string, number | string | boolean | undefined>;
  /** One line for the report, e.g. "dropped 1,204 packets on sender's link". */
  summary: string;
}
