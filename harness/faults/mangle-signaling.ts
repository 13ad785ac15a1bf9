import type { BrowserContext, WebSocketRoute } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface MangleSignalingParams {
  /** Share of `signal` frames dropped, 0-100 (each direction). */
  dropPercent: number;
  /** Share of `signal` frames delivered twice, 0-100. */
  duplicatePercent: number;
  /** Added delay for every `signal` frame, plus up to jitterMs at random: later frames overtake. */
  delayMs: number;
  jitterMs: number;
}

/**
 * Sits between one browser and the real signaling server (Playwright `routeWebSocket`) and drops,
 * duplicates, delays and reorders the `signal` frames that carry SDP and ICE candidates, both
 * ways. join/welcome/ping pass untouched: this is about the peers' handshake being idempotent.
 */
/** What the mangler did, so a test can prove the fault acted (SIG-3). */
export interface MangleCounts {
  signalFrames: number;
  dropped: number;
  duplicated: number;
}

/** The fault, plus what it did (`counts`), so a test can prove it acted. */
export function createMangleSignaling(params: MangleSignalingParams, { context, signalingUrl }: { context: BrowserContext; signalingUrl: string }): Fault<MangleSignalingParams> & { readonly counts: MangleCounts } {
  const live = { ...params };
  const counts: MangleCounts = { signalFrames: 0, dropped: 0, duplicated: 0 };
  const pass = (frame: string | Buffer, deliver: (f: string | Buffer) => void) => {
    if (typeof frame !== 'string' || !frame.includes('"signal"')) return deliver(frame);
    counts.signalFrames++;
    if (Math.random() * 100 < live.dropPercent) {
      counts.dropped++;
      return;
    }
    const copies = Math.random() * 100 < live.duplicatePercent ? 2 : 1;
    if (copies === 2) counts.duplicated++;
    for (let i = 0; i < copies; i++) {
      const delay = live.delayMs + Math.random() * live.jitterMs;
      if (delay <= 0) deliver(frame);
      else setTimeout(() => deliver(frame), delay);
    }
  };
  const route = (ws: WebSocketRoute) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => pass(frame, (f) => server.send(f)));
    server.onMessage((frame) => pass(frame, (f) => ws.send(f)));
    ws.onClose((code, reason) => server.close({ code, reason }));
    server.onClose((code, reason) => ws.close({ code, reason }));
  };
  const url = (u: URL) => u.host === new URL(signalingUrl).host;
  return {
    name: 'mangle-signaling',
    params,
    counts,
    inject: () => context.routeWebSocket(url, route),
    async heal() {
      // The route stays (open sockets go through it) but stops mangling.
      Object.assign(live, { dropPercent: 0, duplicatePercent: 0, delayMs: 0, jitterMs: 0 });
    },
  };
}

export const mangleSignaling = registerFault<MangleSignalingParams, { context: BrowserContext; signalingUrl: string }>({
  name: 'mangle-signaling',
  summary: 'drop, duplicate, delay and reorder signaling `signal` frames of one browser (Playwright routeWebSocket)',
  needs: {},
  create: createMangleSignaling,
});
