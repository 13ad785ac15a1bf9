import type { ProgressSample } from '../probes/progress-recorder.js';
import type { FaultRecord } from '../faults/chaos-controller.js';

/** What `timeline.json` holds: the recorder's samples and the wall-clock time its `t` counts from. */
export interface TimelineData {
  startedAtMs: number;
  samples: ProgressSample[];
}

/**
 * Verified bytes per second at `peer` between the first injection and the last heal (faults still
 * active at the end count until the last sample). Undefined without faults or samples.
 */
export function throughputDuringFaults(timeline: TimelineData, faults: readonly FaultRecord[], peer = 'receiver'): number | undefined {
  if (faults.length === 0) return undefined;
  const own = timeline.samples.filter((s) => s.peer === peer);
  const last = own[own.length - 1];
  if (!last) return undefined;
  const from = Math.min(...faults.map((f) => f.injectedAtMs)) - timeline.startedAtMs;
  const to = Math.max(...faults.map((f) => f.healedAtMs ?? timeline.startedAtMs + last.t)) - timeline.startedAtMs;
  if (to <= from) return undefined;
  const at = (t: number) => [...own].reverse().find((s) => s.t <= t)?.verifiedBytes ?? own[0]!.verifiedBytes;
  return Math.max(0, at(to) - at(from)) / ((to - from) / 1000);
}
