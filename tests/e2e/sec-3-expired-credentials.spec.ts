import type { Page } from '@playwright/test';
import { expect, test, SIGNALING_CHAOS_KEY } from '../../harness/fixtures.js';
import { mintTurnCredential, turnUri, type TurnCredential } from '../../turn/credentials.js';
import { turnAllocate } from '../../turn/stun-client.js';

/** Short enough to wait out for real, long enough to use the credential once before it expires. */
const TTL_S = 3;
/** coturn compares whole seconds: wait a little past the expiry second. */
const PAST_EXPIRY_MS = 1_500;

async function waitPast(cred: TurnCredential): Promise<number> {
  const waitMs = cred.expiresAtMs + PAST_EXPIRY_MS - Date.now();
  if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
  return waitMs;
}

interface Gathered {
  relayCandidates: number;
  errors: { code: number; text: string; url: string }[];
}

/** Relay-only ICE gathering in the page with the given TURN credential: what a browser gets. */
async function gatherRelay(page: Page, url: string, cred: TurnCredential): Promise<Gathered> {
  return page.evaluate(
    async ({ url, username, credential }) => {
      const pc = new RTCPeerConnection({ iceServers: [{ urls: url, username, credential }], iceTransportPolicy: 'relay' });
      const out: Gathered = { relayCandidates: 0, errors: [] };
      pc.addEventListener('icecandidate', (ev) => {
        if (ev.candidate?.type === 'relay') out.relayCandidates++;
      });
      pc.addEventListener('icecandidateerror', (ev) => {
        const e = ev as RTCPeerConnectionIceErrorEvent;
        out.errors.push({ code: e.errorCode, text: e.errorText, url: e.url });
      });
      pc.createDataChannel('probe');
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      pc.close();
      return out;
    },
    { url, username: cred.username, credential: cred.credential },
  );
}

test.describe('SEC-3: expired credentials are refused', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    test(`coturn refuses a TURN REST credential once its ${TTL_S} s TTL has passed (Allocate over ${transport} → 401); a fresh one is allowed`, async ({ turn }) => {
      const cred = mintTurnCredential({ secret: turn.secret, user: `sec-3-${transport}`, ttlSeconds: TTL_S });
      const before = await turnAllocate({ host: turn.host, port: turn.port, transport, username: cred.username, password: cred.credential });
      // The same credential works while it is valid: the refusal below is its expiry, nothing else.
      expect(before, 'Allocate with the credential before it expires').toMatchObject({ ok: true });

      const waitedMs = await waitPast(cred);
      const after = await turnAllocate({ host: turn.host, port: turn.port, transport, username: cred.username, password: cred.credential });
      expect(after, 'Allocate with the same credential after its expiry').toMatchObject({ ok: false, errorCode: 401 });

      const fresh = mintTurnCredential({ secret: turn.secret, user: `sec-3-${transport}`, ttlSeconds: 60 });
      expect(await turnAllocate({ host: turn.host, port: turn.port, transport, username: fresh.username, password: fresh.credential }), 'a freshly minted credential').toMatchObject({ ok: true });
      test.info().annotations.push({ type: 'sec-3', description: `${transport}: allowed before expiry, 401 after waiting ${waitedMs} ms (${after.ok ? '' : after.reason}), fresh credential allowed` });
    });
  }

  test('a browser gathering relay candidates with the same credential: relayed before expiry, TURN error 401 after', async ({ turn, peers, appServer }) => {
    const peer = await peers.launch('probe');
    await peer.page.goto(appServer.url);
    const url = turnUri(turn.host, turn.port, 'udp');
    const cred = mintTurnCredential({ secret: turn.secret, user: 'sec-3-browser', ttlSeconds: TTL_S + 3 });
    const before = await gatherRelay(peer.page, url, cred);
    expect(before.relayCandidates, `relay candidates while valid (errors: ${JSON.stringify(before.errors)})`).toBeGreaterThan(0);

    await waitPast(cred);
    const after = await gatherRelay(peer.page, url, cred);
    expect(after.relayCandidates, 'no relay candidate with an expired credential').toBe(0);
    expect(after.errors.map((e) => e.code), 'the browser reports TURN error 401').toContain(401);
  });

  test('the signaling chaos API refuses requests without its key or with a wrong one, and obeys the right one', async ({ signaling }) => {
    const api = `${signaling.httpUrl}/api/chaos/config`;
    const call = async (method: 'GET' | 'POST', key: string | undefined, body?: unknown) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key !== undefined) headers['x-chaos-key'] = key;
      const res = await fetch(api, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { ok?: boolean; error?: string; config?: { enabled: boolean; dropRate: number } } };
    };
    const wrongKey = `${SIGNALING_CHAOS_KEY.slice(0, -1)}${SIGNALING_CHAOS_KEY.endsWith('A') ? 'B' : 'A'}`;
    const harmless = { enabled: false, dropRate: 0.25 };
    const hostile = { enabled: true, dropRate: 1, disconnectRate: 1 };

    expect((await call('POST', SIGNALING_CHAOS_KEY, harmless)).status, 'the right key sets a config').toBe(200);
    try {
      for (const [label, key] of [['no key', undefined], ['a wrong key', wrongKey], ['an empty key', '']] as const) {
        for (const method of ['GET', 'POST'] as const) {
          const res = await call(method, key, method === 'POST' ? hostile : undefined);
          expect([401, 403], `${method} with ${label}: refused`).toContain(res.status);
          expect(res.body.error ?? '', `${method} with ${label}: says what is wrong`).toMatch(/x-chaos-key/);
          expect(JSON.stringify(res.body), 'the refusal leaks no config').not.toMatch(/dropRate/);
        }
      }
      // None of the refused POSTs took effect.
      const now = await call('GET', SIGNALING_CHAOS_KEY);
      expect(now.status).toBe(200);
      expect(now.body.config, 'the config is the one the right key set').toMatchObject(harmless);
    } finally {
      expect((await call('POST', SIGNALING_CHAOS_KEY, { enabled: false })).status).toBe(200);
    }
  });
});
