import { HarnessError } from '../errors.js';
import { run } from './exec.js';

/**
 * Rate limits with a token bucket (tbf) on a device's egress. tc shapes only what a device SENDS,
 * so a link is shaped at both ends of its veth (see link-control.ts).
 */

/** Two full 1500-byte frames: tbf must hold at least one MTU-sized packet in its bucket. */
const MIN_BURST_BYTES = 3_000;
/** The bucket refills at timer granularity; 10 ms of traffic keeps it from starving at HZ=100. */
const BURST_WINDOW_MS = 10;
/** How long a packet may wait in the queue before tbf drops it: a modest home-router buffer. */
const QUEUE_LATENCY_MS = 100;
/** tbf takes rates in bit/s as 32-bit; keep well inside. */
const MAX_RATE_KBPS = 10_000_000;

export function assertRateKbps(rateKbps: number): void {
  if (!Number.isFinite(rateKbps) || rateKbps <= 0 || rateKbps > MAX_RATE_KBPS) {
    throw new HarnessError('ERR_CONFIG', `rateKbps must be a positive number of kbit/s up to ${MAX_RATE_KBPS} (got ${rateKbps})`, {
      context: { rateKbps },
      hint: 'Give the link rate in kilobits per second, e.g. 2000 for 2 Mbit/s.',
    });
  }
}

export function tbfArgs(rateKbps: number): string[] {
  assertRateKbps(rateKbps);
  const bytesPerMs = (rateKbps * 1000) / 8 / 1000;
  const burstBytes = Math.max(MIN_BURST_BYTES, Math.ceil(bytesPerMs * BURST_WINDOW_MS));
  return ['tbf', 'rate', `${Math.round(rateKbps)}kbit`, 'burst', String(burstBytes), 'latency', `${QUEUE_LATENCY_MS}ms`];
}

export async function setRate(ns: string, device: string, rateKbps: number): Promise<void> {
  await run('tc', ['-n', ns, 'qdisc', 'replace', 'dev', device, 'root', ...tbfArgs(rateKbps)]);
}

/** Back to the device's default qdisc (noqueue on a veth). Safe when no tbf is there. */
export async function clearRate(ns: string, device: string): Promise<void> {
  const { stdout } = await run('tc', ['-n', ns, 'qdisc', 'show', 'dev', device, 'root']);
  if (!/^qdisc tbf /m.test(stdout)) return;
  await run('tc', ['-n', ns, 'qdisc', 'del', 'dev', device, 'root']);
}

export async function listQdiscs(ns: string): Promise<string[]> {
  const { stdout } = await run('tc', ['-n', ns, 'qdisc', 'show']);
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** The root qdisc's counters on a device (tbf: `dropped` and `overlimits`, i.e. packets it held back). */
export async function readQdiscStats(ns: string, device: string): Promise<{ sentPackets: number; dropped: number; overlimits: number }> {
  const { stdout } = await run('tc', ['-n', ns, '-s', 'qdisc', 'show', 'dev', device, 'root']);
  return parseQdiscStats(stdout);
}

/** Parses ` Sent 123 bytes 4 pkt (dropped 1, overlimits 2 requeues 0)` (zeros when absent). */
export function parseQdiscStats(text: string): { sentPackets: number; dropped: number; overlimits: number } {
  const m = /Sent \d+ bytes (\d+) pkt \(dropped (\d+), overlimits (\d+)/.exec(text);
  return m ? { sentPackets: Number(m[1]), dropped: Number(m[2]), overlimits: Number(m[3]) } : { sentPackets: 0, dropped: 0, overlimits: 0 };
}
