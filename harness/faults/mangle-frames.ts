import type { BrowserContext } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface MangleFramesParams {
  /** Share of outgoing binary messages cut short (a random number of trailing bytes dropped), 0-100. */
  truncatePercent: number;
  /** Share sent twice, 0-100. */
  duplicatePercent: number;
  /** Share held back and sent after the next message, 0-100. */
  reorderPercent: number;
}

export interface MangleCounts {
  truncated: number;
  duplicated: number;
  reordered: number;
}

interface HookState extends MangleFramesParams, MangleCounts {}

/** Init script: wraps RTCDataChannel.prototype.send to truncate, duplicate and reorder binary messages. */
function installHook(): void {
  const w = window as unknown as { __harnessMangle?: HookState };
  if (w.__harnessMangle) return;
  const state: HookState = { truncatePercent: 0, duplicatePercent: 0, reorderPercent: 0, truncated: 0, duplicated: 0, reordered: 0 };
  w.__harnessMangle = state;
  const original = RTCDataChannel.prototype.send as (this: RTCDataChannel, data: unknown) => void;
  const HOLD_MAX_MS = 50;
  let held: { channel: RTCDataChannel; data: ArrayBuffer; timer: ReturnType<typeof setTimeout> } | undefined;
  const flush = () => {
    if (!held) return;
    const h = held;
    held = undefined;
    clearTimeout(h.timer);
    if (h.channel.readyState === 'open') original.call(h.channel, h.data);
  };
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: unknown) {
    if (typeof data === 'string' || data instanceof Blob) return original.call(this, data);
    const view = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array((data as ArrayBufferView).buffer, (data as ArrayBufferView).byteOffset, (data as ArrayBufferView).byteLength);
    let bytes: ArrayBuffer = view.slice().buffer;
    if (Math.random() * 100 < state.truncatePercent && bytes.byteLength > 1) {
      bytes = bytes.slice(0, 1 + Math.floor(Math.random() * (bytes.byteLength - 1)));
      state.truncated++;
    }
    if (Math.random() * 100 < state.reorderPercent && !held) {
      state.reordered++;
      held = { channel: this, data: bytes, timer: setTimeout(flush, HOLD_MAX_MS) };
      return;
    }
    original.call(this, bytes);
    flush();
    if (Math.random() * 100 < state.duplicatePercent) {
      state.duplicated++;
      original.call(this, bytes);
    }
  } as typeof RTCDataChannel.prototype.send;
}

export interface MangleFramesFault extends Fault<MangleFramesParams> {
  counts(): Promise<MangleCounts>;
}

export function createMangleFrames(params: MangleFramesParams, { context }: { context: BrowserContext }): MangleFramesFault {
  const set = async (p: MangleFramesParams) => {
    for (const page of context.pages()) {
      await page.evaluate(installHook).catch(() => undefined);
      await page.evaluate((v) => Object.assign((window as unknown as { __harnessMangle: HookState }).__harnessMangle, v), p).catch(() => undefined);
    }
  };
  return {
    name: 'mangle-frames',
    params,
    async inject() {
      await context.addInitScript(installHook);
      await set(params);
    },
    heal: () => set({ truncatePercent: 0, duplicatePercent: 0, reorderPercent: 0 }),
    async counts() {
      const total: MangleCounts = { truncated: 0, duplicated: 0, reordered: 0 };
      for (const page of context.pages()) {
        const c = await page.evaluate(() => (window as unknown as { __harnessMangle?: HookState }).__harnessMangle).catch(() => undefined);
        if (c) for (const k of ['truncated', 'duplicated', 'reordered'] as const) total[k] += c[k];
      }
      return total;
    },
  };
}

export const mangleFrames = registerFault<MangleFramesParams, { context: BrowserContext }>({
  name: 'mangle-frames',
  summary: 'truncate, duplicate and reorder outgoing binary DataChannel messages of one browser (init script)',
  needs: {},
  create: createMangleFrames,
});
