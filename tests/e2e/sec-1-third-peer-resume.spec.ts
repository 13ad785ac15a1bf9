import crypto from 'node:crypto';
import type { Page } from '@playwright/test';
import { expect, test } from '../../harness/fixtures.js';
import type { Peer } from '../../harness/browser/peer.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 16 * 1024 * 1024;
/** Joining, ICE and the proof exchange on a loaded 2-core machine. */
const INTRUDER_CONNECT_MS = 45_000;

interface Seen {
  channels: number;
  texts: string[];
  binaryMessages: number;
  binaryBytes: number;
  forged: string[];
}

/**
 * Runs in the intruder's pages before the app: watches every DataChannel the page is handed, at
 * the browser API, whatever the app does with it. With `forge`, it also speaks for itself: to the
 * sender's challenge it answers a made-up proof, then asks to resume from nothing.
 */
function intruderScript({ forge }: { forge: boolean }): void {
  const w = window as unknown as { __intruder?: Seen; RTCPeerConnection: typeof RTCPeerConnection };
  if (w.__intruder) return;
  const seen: Seen = { channels: 0, texts: [], binaryMessages: 0, binaryBytes: 0, forged: [] };
  w.__intruder = seen;
  const randomB64Url = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const watch = (channel: RTCDataChannel) => {
    seen.channels++;
    channel.addEventListener('message', (ev: MessageEvent) => {
      if (typeof ev.data !== 'string') {
        seen.binaryMessages++;
        seen.binaryBytes += (ev.data as ArrayBuffer).byteLength ?? 0;
        return;
      }
      if (ev.data.includes('"heartbeat"')) return;
      seen.texts.push(ev.data);
      const msg = JSON.parse(ev.data) as { type: string; transferId?: string; nonce?: string };
      if (!forge || msg.type !== 'challenge') return;
      const forged = [
        { type: 'proof', transferId: msg.transferId, role: 'receiver', nonce: msg.nonce, timestamp: Date.now(), mac: randomB64Url() },
        { type: 'resume', transferId: msg.transferId, chunkMap: '', haveBytes: 0 },
        { type: 'ack', index: 0 },
      ];
      for (const m of forged) {
        const text = JSON.stringify(m);
        channel.send(text);
        seen.forged.push(text);
      }
    });
  };
  const Original = w.RTCPeerConnection;
  const Wrapped = function (this: unknown, config?: RTCConfiguration) {
    const pc = new Original(config);
    pc.addEventListener('datachannel', (ev) => watch(ev.channel));
    return pc;
  } as unknown as typeof RTCPeerConnection;
  Wrapped.prototype = Original.prototype;
  Object.defineProperty(Wrapped, 'generateCertificate', { value: Original.generateCertificate.bind(Original) });
  w.RTCPeerConnection = Wrapped;
}

async function seenBy(page: Page): Promise<Seen> {
  return page.evaluate(() => (window as unknown as { __intruder: Seen }).__intruder);
}

async function senderData(page: Page): Promise<{ sentBytes: number; refusals: number; errorCode: string | undefined }> {
  const d = await page.locator('#app').evaluate((el) => ({ ...(el as HTMLElement).dataset }));
  return { sentBytes: Number(d.sentBytes ?? 0), refusals: Number(d.resumeRefusals ?? 0), errorCode: d.errorCode };
}

/** The room link with its session key replaced (`k` given) or removed (`k` undefined). */
function withKey(link: string, k: string | undefined): string {
  const url = new URL(link);
  const params = new URLSearchParams(url.hash.slice(1));
  expect(params.get('k'), 'the sender’s link carries the session key in its fragment').toMatch(/^[A-Za-z0-9_-]{43}$/);
  if (k === undefined) params.delete('k');
  else params.set('k', k);
  url.hash = params.toString();
  return url.href;
}

/** Peers joined to the signaling server, as the server itself counts them (GET /healthz). */
async function signalingPeers(httpUrl: string): Promise<number> {
  const res = await fetch(new URL('/healthz', httpUrl));
  const body = (await res.json()) as { peers?: unknown };
  if (typeof body.peers !== 'number') throw new Error(`signaling /healthz answered ${res.status} without a peer count: ${JSON.stringify(body)}`);
  return body.peers;
}

/**
 * A third browser with the room token joins while the receiver is away and asks for the transfer.
 * Checks the sender refused it and sent nothing meanwhile, and that the refusal cost the intruder
 * its room slot (the sender kicked it at signaling), while its page stays open: a slot it kept
 * would lock the real receiver out of the room. Returns what reached it, and its still-open peer.
 */
async function intrude(
  peers: { launch(name: string): Promise<Peer> },
  app: { progress(page: Page): Promise<{ signalingState?: string }> },
  signalingHttpUrl: string,
  senderPage: Page,
  name: string,
  link: string,
  forge: boolean,
): Promise<{ seen: Seen; intruder: Peer }> {
  const intruder = await peers.launch(name);
  await intruder.context.addInitScript(intruderScript, { forge });
  const before = await senderData(senderPage);
  await intruder.page.goto(link);
  // It really got a DataChannel to the sender (and its challenge): the refusal below is the
  // sender's doing, not a connection that never happened.
  await expect.poll(async () => (await seenBy(intruder.page)).texts.some((t) => t.includes('"challenge"')), { timeout: INTRUDER_CONNECT_MS, message: `${name} reached the sender` }).toBe(true);
  // The sender decides (refuses, or starts sending); then time for chunks to arrive, had it sent any.
  await expect
    .poll(async () => (await senderData(senderPage)).refusals > before.refusals || (await seenBy(intruder.page)).binaryMessages > 0, { timeout: 15_000, message: 'the sender answered the intruder' })
    .toBe(true);
  await intruder.page.waitForTimeout(3_000);
  const seen = await seenBy(intruder.page);
  const after = await senderData(senderPage);
  // The slot: the server holds the sender alone again, though the intruder's page is still open.
  await expect.poll(() => signalingPeers(signalingHttpUrl), { timeout: 10_000, message: `the signaling server dropped ${name} from the room (peers joined, sender included)` }).toBe(1);
  expect((await app.progress(intruder.page)).signalingState, `${name} was told it lost its slot`).toBe('kicked');
  expect(seen.binaryMessages, `${name} received chunk frames (${seen.binaryBytes} bytes)`).toBe(0);
  expect(after.sentBytes, 'the sender put no chunk on the wire while the intruder was connected').toBe(before.sentBytes);
  expect(seen.texts.filter((t) => t.includes('"manifest"')), `${name} never got the manifest`).toEqual([]);
  expect(after.refusals, 'the sender counted the refusal').toBeGreaterThan(before.refusals);
  expect(after.errorCode, 'the sender shows why it refused').toBe('ERR_RESUME_UNAUTHORIZED');
  expect(seen.texts.some((t) => t.includes('"ERR_RESUME_UNAUTHORIZED"')), `${name} was told it is refused`).toBe(true);
  return { seen, intruder };
}

test('SEC-1: a third peer with the room token but not the session key asks to resume → refused, gets no chunk, loses its room slot; the transfer completes intact', async ({ peers, app, makeFile, workDir, signaling }) => {
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  await waitForVerified(app, s.receiver, FILE_BYTES / 4);
  const heldBefore = (await app.progress(s.receiver.page)).verifiedBytes;
  // The receiver goes away: the sender waits alone in the room, which a stranger can now join.
  await s.receiver.close();
  await expect.poll(async () => (await app.progress(s.sender.page)).linkState, { timeout: 15_000, message: 'the sender noticed the receiver is gone' }).not.toBe('connected');

  // 1. The app itself, given a link whose key was swapped for a guess: its proof is a real MAC
  //    under the wrong key.
  const guess = crypto.randomBytes(32).toString('base64url');
  const first = await intrude(peers, app, signaling.httpUrl, s.sender.page, 'intruder-wrong-key', withKey(s.link, guess), false);
  const forgedKey = first.seen;
  expect(forgedKey.texts.some((t) => t.includes('"proof"')), 'the sender never answered the intruder’s challenge').toBe(false);

  // 2. The link without its key, and a hand-made proof, resume and ack over the DataChannel. The
  //    first intruder's page is still open: this one gets in only because that one lost its slot.
  const second = await intrude(peers, app, signaling.httpUrl, s.sender.page, 'intruder-no-key', withKey(s.link, undefined), true);
  const handMade = second.seen;
  expect(handMade.forged.length, 'the intruder sent its forged proof, resume and ack').toBe(3);
  const refusals = handMade.texts.filter((t) => t.includes('"ERR_RESUME_UNAUTHORIZED"')).length;
  expect(refusals, 'each forged message was refused').toBeGreaterThanOrEqual(3);

  // The real receiver comes back on its profile, with both intruders' pages still open, proves
  // the key, and finishes the transfer.
  await s.receiver.start();
  await app.openReceiver(s.receiver.page, s.link);
  await app.waitForComplete(s.receiver.page, 120_000);
  for (const { intruder } of [first, second]) {
    expect((await app.progress(intruder.page)).signalingState, `${intruder.name} stayed out of the room`).toBe('kicked');
    await intruder.close();
  }
  const after = await app.progress(s.receiver.page);
  expect(after.resumedFromBytes, 'the receiver resumed from its checkpoint').toBeGreaterThanOrEqual(heldBefore);
  await expectIntact(app, s, workDir, { maxResentBytes: MAX_RESENT_BYTES });
  const sender = await senderData(s.sender.page);
  test.info().annotations.push({ type: 'sec-1', description: `2 intruders refused (${sender.refusals} refusals at the sender) and kicked from the room, 0 chunk frames reached them; receiver resumed from ${(heldBefore / 1048576).toFixed(1)} MiB` });
});
