import path from 'node:path';
import { expect, test as base } from '../../harness/fixtures.js';
import { describeMeasurement, probeBackgroundThrottling, THROTTLED_CHAIN_MS, TIMER_CHAIN, waitUntilHidden } from '../../harness/browser/raw-background-probe.js';
import { RawChromium, rawProfileDirFor } from '../../harness/browser/raw-chromium.js';
import { RawReceiverPeer } from '../support/bundled-app/raw-receiver-peer.js';
import { backgroundTabRawCdp } from '../../harness/faults/background-tab-raw-cdp.js';
import { ProgressRecorder } from '../../harness/probes/progress-recorder.js';
import { attachText } from '../../harness/report/failure-attachments.js';
import { skipWithReason } from '../../harness/skip-with-reason.js';
import { expectSameAsSource } from '../../harness/scenario/transfer-session.js';
import { MAX_RESENT_BYTES } from './bounds.js';

const FILE_BYTES = 32 * 1024 * 1024;
const COMPLETE_TIMEOUT_MS = 150_000;
const MIB = 1024 * 1024;

interface RawReceiverFixture {
  browser: RawChromium;
  /** Opens the receive link in a tab of the raw browser; its console is attached if the test fails. */
  open(link: string): Promise<RawReceiverPeer>;
}

/**
 * The receiver is NOT a Playwright peer: Playwright's own CDP session keeps focus emulation on
 * (Chromium then treats the page as captured and never hides it) and it launches Chromium with
 * --disable-background-timer-throttling. So the harness launches this one Chromium itself — the
 * harness's flags minus the ones that stop backgrounding — and drives it over raw CDP. The fixture
 * ends it by its PID and removes its profile, whatever the test did.
 */
const test = base.extend<{ rawReceiver: RawReceiverFixture }>({
  rawReceiver: async ({ workDir, headless, requireNeeds }, use, testInfo) => {
    requireNeeds(backgroundTabRawCdp.needs);
    const browser = await RawChromium.launch({ profileDir: rawProfileDirFor(workDir, 'receiver'), headless, logPath: path.join(workDir, 'raw-receiver-browser.log') });
    const opened: RawReceiverPeer[] = [];
    try {
      await use({
        browser,
        async open(link) {
          const peer = await RawReceiverPeer.open(browser, link);
          opened.push(peer);
          return peer;
        },
      });
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        for (const p of opened) await attachText(testInfo, 'console-receiver-raw.log', p.page.consoleText());
        await attachText(testInfo, 'raw-receiver-browser.log', browser.logTail(200));
      }
      await browser.close();
    }
  },
});

test('TIME-2: receiver tab in the background (hidden, timers throttled) → the transfer continues and completes intact', async ({ peers, app, makeFile, workDir, chaos, rawReceiver }, testInfo) => {
  const source = await makeFile(FILE_BYTES);
  const sender = await peers.launch('sender');
  // Both take seconds: the sender's setup, and asking this browser whether it backgrounds pages at all.
  const [link, probe] = await Promise.all([app.startSend(sender.page, source.path), probeBackgroundThrottling(rawReceiver.browser)]);
  testInfo.annotations.push({ type: 'background-probe', description: `blank tab of the raw receiver browser: ${describeMeasurement(probe)}` });
  if (!probe.hidden || !probe.throttled) {
    // This Chromium does not background pages even without Playwright: the row cannot run here.
    skipWithReason(testInfo, `TIME-2 cannot run here: this Chromium leaves a covered tab ${probe.hidden ? 'hidden but not throttled' : 'visible'} even over raw CDP without Playwright (${describeMeasurement(probe)}).`);
    return;
  }

  const receiver = await rawReceiver.open(link);
  // The progress recorder polls Playwright pages; the raw receiver feeds its own samples into it.
  const recorder = new ProgressRecorder(app, { sender: () => (sender.running ? sender.page : undefined) });
  const stopFeed = receiver.recordInto(recorder);
  try {
    await receiver.page.recordVisibility();
    const visibleChainMs = await receiver.page.timerChainMs(TIMER_CHAIN.count, TIMER_CHAIN.delayMs);
    await receiver.waitForVerified(1, 120_000);

    const injectAt = recorder.now();
    const background = await chaos.inject(backgroundTabRawCdp.create({}, { client: rawReceiver.browser.client, targetId: receiver.page.targetId }));
    const seen = await waitUntilHidden(receiver.page);
    const hiddenAt = recorder.now();
    const atHidden = await receiver.progress();
    // Measured while the transfer runs: the page's own timers, from inside the page.
    const hiddenChainMs = await receiver.page.timerChainMs(TIMER_CHAIN.count, TIMER_CHAIN.delayMs);
    const measured = `visibilityState events seen in the page: ${seen.events.map((e) => e.state).join(' → ')}; ${TIMER_CHAIN.count}× setTimeout(${TIMER_CHAIN.delayMs} ms) took ${visibleChainMs.toFixed(0)} ms in front and ${hiddenChainMs.toFixed(0)} ms in the background`;
    testInfo.annotations.push({ type: 'background', description: measured });
    expect(seen.state, `the receiver page reports itself hidden behind the cover tab (${measured})`).toBe('hidden');
    expect(hiddenChainMs, `the receiver's timers are throttled in the background (${measured})`).toBeGreaterThanOrEqual(THROTTLED_CHAIN_MS);

    // The rest of the file arrives while the page stays in the background.
    const done = await receiver.waitForComplete(COMPLETE_TIMEOUT_MS);
    const completeAt = recorder.now();
    const atEnd = await receiver.page.visibility();
    await stopFeed();
    await recorder.stop();
    await chaos.heal(background);

    const hiddenBytes = done.totalBytes - atHidden.verifiedBytes;
    const hiddenS = (completeAt - hiddenAt) / 1000;
    const resent = (await app.progress(sender.page)).resentBytes ?? 0;
    const lostLink = recorder.samples.filter((s) => s.peer === 'receiver' && s.t >= injectAt && s.linkState !== undefined && s.linkState !== 'connected').length;
    testInfo.annotations.push({
      type: 'throughput',
      description: `${(hiddenBytes / MIB).toFixed(1)} of ${(done.totalBytes / MIB).toFixed(0)} MiB verified while hidden, in ${hiddenS.toFixed(1)} s (${(hiddenBytes / MIB / hiddenS).toFixed(2)} MiB/s); re-sent ${(resent / MIB).toFixed(2)} MiB; receiver samples not 'connected' while hidden: ${lostLink}`,
    });
    expect(atEnd.state, 'still hidden when the transfer completed').toBe('hidden');
    const sinceHidden = atEnd.events.slice(atEnd.events.findIndex((e) => e.state === 'hidden'));
    expect(sinceHidden.map((e) => e.state), 'never visible again between hiding and completion').not.toContain('visible');
    expect(hiddenBytes, 'most of the file arrived while the receiver was hidden').toBeGreaterThanOrEqual(FILE_BYTES / 2);
    expect(resent, 'nothing restarted: bytes sent again stay within the in-flight window').toBeLessThanOrEqual(MAX_RESENT_BYTES);

    const received = path.join(workDir, 'received.bin');
    await receiver.saveReceivedFile(received);
    await expectSameAsSource(received, source);
    testInfo.annotations.push({ type: 'integrity', description: `BLAKE3 ${source.blake3.slice(0, 16)}… of ${source.sizeBytes} bytes matches the source (computed in Node)` });
  } finally {
    await stopFeed();
  }
});
