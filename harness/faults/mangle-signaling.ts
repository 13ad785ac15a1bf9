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
export const mangleSignaling = registerFault<MangleSignalingParams, { context: BrowserContext; signalingUrl: string }>({
  name: 'mangle-signaling',
  summary: 'drop, duplicate, delay and reorder signaling `signal` frames of one browser (Playwright routeWebSocket)',
  needs: {},
  create(params, { context, signalingUrl }): Fault<MangleSignalingParams> {
    const live = { ...params };
    const pass = (frame: string | Buffer, deliver: (f: string | Buffer) => void) => {
      if (typeof frame !== 'string' || !frame.includes('"signal"')) return deliver(frame);
      if (Math.random() * 100 < live.dropPercent) return;
      const copies = Math.random() * 100 < live.duplicatePercent ? 2 : 1;
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
      inject: () => context.routeWebSocket(url, route),
      async heal() {
        // The route stays (open sockets go through it) but stops mangling.
        Object.assign(live, { dropPercent: 0, duplicatePercent: 0, delayMs: 0, jitterMs: 0 });
      },
    };
  },
});
