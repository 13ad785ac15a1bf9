import { expect, test as base } from '../../harness/fixtures.js';
import { profileDirFor } from '../../harness/browser/peer.js';
import { fillDisk } from '../../harness/faults/fill-disk.js';
import { mountTmpfs, type TmpfsMount } from '../../harness/process/tmpfs-mount.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { turnProxyToxics } from '../../harness/faults/turn-proxy-toxics.js';
import { ACK_STALL_MS } from '../../app-under-test/config.js';

const MIB = 1024 * 1024;
const FILE_BYTES = 24 * MIB;
/**
 * The receiver's whole profile lives on a tmpfs this big. The disk filling up, not the origin's
 * quota, must be what stops the transfer, and the quota is a share of the volume fixed when the
 * browser starts: Chromium 60 % (measured: QuotaExceededError at ~57 MiB on a 96 MiB tmpfs),
 * Firefox 10 % (measured: on a 160 MiB tmpfs a Firefox receiver stopped at 16 MiB and stayed
 * stopped after the filler was deleted, because the quota, not the disk, was full). 512 MiB gives
 * a Firefox origin ~51 MiB, twice the file. The filler takes the rest of the RAM-backed volume
 * only while the disk is full.
 */
const RECEIVER_DISK_BYTES = 512 * MIB;
/**
 * The filler leaves this much free. Measured on Chromium 156: with the disk at 0 bytes, the chunk
 * blobs fail first (DataError "Failed to write blobs"), but the next append to IndexedDB's LevelDB
 * log fails with FILE_ERROR_NO_SPACE, Chromium closes the connection and DELETES the origin's whole
 * IndexedDB (reopening finds an empty database): accepted chunks are lost by the browser, not the
 * app. With a little room left the blobs (128 KiB each) still fail while LevelDB's small appends
 * go through, which is the case an app can survive; see the README (RES-1).
 */
const LEAVE_FREE_BYTES = 1 * MIB;
/** Paused this long with the disk full: more than one ACK_STALL_MS, so the app retried and failed at least once. */
const HOLD_FULL_MS = ACK_STALL_MS + 5_000;
/**
 * The relay path is capped at this rate until the disk is full, so the remaining half (12 MiB)
 * takes ~12 s: filling the 512 MiB tmpfs under load took long enough that an uncapped transfer
 * finished first ("Received: complete"). The cap is lifted once the pause is shown.
 */
const RATE_KBPS = 8_000;

const test = base.extend<{ receiverDisk: (sizeBytes: number) => Promise<TmpfsMount> }>({
  // A test-scoped fixture: set up before `peers` in this test, so it is torn down after the
  // browsers closed; a lazy unmount covers the case where one still holds a file.
  receiverDisk: async ({ workDir }, use) => {
    let mount: TmpfsMount | undefined;
    try {
      await use(async (sizeBytes) => (mount = await mountTmpfs(profileDirFor(workDir, 'receiver'), sizeBytes)));
    } finally {
      await mount?.unmount();
    }
  },
});

test.use({ iceTransportPolicy: 'relay', turnRoute: 'proxy' });

test('RES-1: receiver disk full (1 MiB left) at 50% → "storage full", paused, nothing accepted is lost; space freed → resumes, intact', async ({
  receiverDisk,
  peers,
  app,
  makeFile,
  workDir,
  chaos,
  requireNeeds,
  turnProxy,
}, testInfo) => {
  requireNeeds(fillDisk.needs);
  const disk = await receiverDisk(RECEIVER_DISK_BYTES);
  const slow = await chaos.inject(turnProxyToxics.create({ rateKbps: RATE_KBPS }, { proxy: turnProxy }));
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  const page = s.receiver.page;
  await waitForVerified(app, s.receiver, FILE_BYTES / 2);

  const fullAt = s.recorder.now();
  const full = await chaos.inject(fillDisk.create({ leaveFreeBytes: LEAVE_FREE_BYTES }, { dir: disk.dir }));
  const atFull = await app.progress(page);
  expect(atFull.verifiedBytes, `the fault landed inside the transfer: when the disk was full the receiver held ${atFull.verifiedBytes} of ${FILE_BYTES} bytes (else it landed too late and this run tested nothing)`).toBeLessThan(FILE_BYTES);
  await expect.poll(async () => (await app.progress(page)).phase, { timeout: 30_000, message: 'the receiver says storage is full' }).toBe('storage-full');
  const shownAt = s.recorder.now();
  await chaos.heal(slow);
  const paused = await app.progress(page);
  expect(paused.errorCode).toBe('ERR_QUOTA_EXCEEDED');
  await expect(page.locator('#error'), 'the user is told, in words').toContainText('storage full');
  const resentAtPause = (await app.progress(s.sender.page)).resentBytes ?? 0;

  // While full: still paused, nothing lost (verified bytes never go back), nothing new stored.
  await page.waitForTimeout(HOLD_FULL_MS);
  const held = await app.progress(page);
  expect(held.phase, 'still paused while the disk is full').toBe('storage-full');
  expect(held.verifiedBytes, 'no byte stored while the disk is full').toBe(paused.verifiedBytes);
  expect(held.verifiedBytes, 'what was stored before the disk filled is still counted').toBeGreaterThanOrEqual(FILE_BYTES / 2);
  // The pause is not a give-up: the sender offered the unacknowledged frames again and the
  // receiver tried (and failed) to store them.
  expect((await app.progress(s.sender.page)).resentBytes ?? 0, 'the app retried by itself while paused').toBeGreaterThan(resentAtPause);

  const healAt = s.recorder.now();
  await chaos.heal(full);
  await app.waitForComplete(page, 120_000);
  await s.recorder.stop();

  const receiverSamples = s.recorder.samples.filter((x) => x.peer === 'receiver' && x.totalBytes > 0);
  for (let i = 1; i < receiverSamples.length; i++) {
    expect(receiverSamples[i]!.verifiedBytes, `verified bytes never go backwards (sample ${i} at ${receiverSamples[i]!.t} ms)`).toBeGreaterThanOrEqual(receiverSamples[i - 1]!.verifiedBytes);
  }
  const flowing = s.recorder.firstAfter('receiver', healAt, (x) => x.verifiedBytes > held.verifiedBytes);
  const resent = (await app.progress(s.sender.page)).resentBytes ?? 0;
  const secs = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
  testInfo.annotations.push({
    type: 'storage-full',
    description: `"storage full" shown ${secs(shownAt - fullAt)} after the disk filled, at ${(paused.verifiedBytes / MIB).toFixed(2)} of ${FILE_BYTES / MIB} MiB; stored again ${secs(flowing ? flowing.t - healAt : undefined)} after space was freed; re-sent ${(resent / MIB).toFixed(2)} MiB (retries while paused)`,
  });
  await expectIntact(app, s, workDir);
});
