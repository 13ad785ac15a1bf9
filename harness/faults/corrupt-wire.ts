import type { BrowserContext } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface CorruptWireParams {
  /** Share of outgoing binary DataChannel messages to damage, 0-100. */
  ratePercent: number;
  /** Bytes flipped in each damaged message. */
  bytesFlipped: number;
  /** Share of flips aimed at the first 44 bytes (the bundled app's frame header), 0-100. */
  headerSharePercent: number;
}

export interface CorruptionCounts {
  /** Binary messages the page sent while the fault was installed. */
  seen: number;
  /** Messages damaged before they reached the wire. */
  corrupted: number;
  /** Damaged messages whose first 44 bytes (a frame header, in the bundled app) were hit. */
  headerHits: number;
}

interface HookState extends CorruptionCounts {
  ratePercent: number;
  bytesFlipped: number;
  headerSharePercent: number;
}

/**
 * Wraps RTCDataChannel.prototype.send in the page, so any app's outgoing binary messages can be
 * damaged on their way into the DataChannel (after the app hashed them, before SCTP carries them).
 * Installed as an init script, it works for any app, not only ours.
 */
function installHook(): void {
  const w = window as unknown as { __harnessCorruption?: HookState };
  if (w.__harnessCorruption) return;
  const state: HookState = { ratePercent: 0, bytesFlipped: 1, headerSharePercent: 0, seen: 0, corrupted: 0, headerHits: 0 };
  w.__harnessCorruption = state;
  const original = RTCDataChannel.prototype.send as (this: RTCDataChannel, data: unknown) => void;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string | Blob | ArrayBuffer | ArrayBufferView) {
    if (typeof data === 'string' || data instanceof Blob) return original.call(this, data);
    state.seen++;
    if (Math.random() * 100 >= state.ratePercent) return original.call(this, data);
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data.slice(0)) : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    let header = false;
    for (let k = 0; k < state.bytesFlipped; k++) {
      const inHeader = Math.random() * 100 < state.headerSharePercent;
      const at = inHeader ? Math.floor(Math.random() * Math.min(44, bytes.length)) : Math.floor(Math.random() * bytes.length);
      bytes[at]! ^= 1 + Math.floor(Math.random() * 255);
      if (at < 44) header = true;
    }
    state.corrupted++;
    if (header) state.headerHits++;
    return original.call(this, bytes.buffer);
  } as typeof RTCDataChannel.prototype.send;
}

export interface CorruptWireFault extends Fault<CorruptWireParams> {
  /** What the hook did so far, summed over the context's pages. */
  counts(): Promise<CorruptionCounts>;
}

export function createCorruptWire(params: CorruptWireParams, { context }: { context: BrowserContext }): CorruptWireFault {
  const setRate = async (ratePercent: number) => {
    for (const page of context.pages()) {
      await page.evaluate(installHook).catch(() => undefined);
      await page
        .evaluate(([rate, flips, header]) => Object.assign((window as unknown as { __harnessCorruption: HookState }).__harnessCorruption, { ratePercent: rate, bytesFlipped: flips, headerSharePercent: header }), [ratePercent, params.bytesFlipped, params.headerSharePercent] as const)
        .catch(() => undefined);
    }
  };
  return {
    name: 'corrupt-wire',
    params,
    async inject() {
      await context.addInitScript(installHook);
      await setRate(params.ratePercent);
    },
    heal: () => setRate(0),
    async counts() {
      const totals: CorruptionCounts = { seen: 0, corrupted: 0, headerHits: 0 };
      for (const page of context.pages()) {
        const c = await page.evaluate(() => (window as unknown as { __harnessCorruption?: HookState }).__harnessCorruption).catch(() => undefined);
        if (!c) continue;
        totals.seen += c.seen;
        totals.corrupted += c.corrupted;
        totals.headerHits += c.headerHits;
      }
      return totals;
    },
  };
}

export const corruptWire = registerFault<CorruptWireParams, { context: BrowserContext }>({
  name: 'corrupt-wire',
  summary: 'flip bytes in outgoing binary DataChannel messages of one browser (init script on RTCDataChannel.send)',
  needs: {},
  create: createCorruptWire,
});
