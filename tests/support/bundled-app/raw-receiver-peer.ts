import fs from 'node:fs';
import path from 'node:path';
import type { TransferProgress } from '../../../harness/app-adapter.js';
import { completionOutcome, progressFromDataset } from './bundled-app-adapter.js';
import { HarnessError } from '../../../harness/errors.js';
import type { ProgressRecorder } from '../../../harness/probes/progress-recorder.js';
import { CdpError } from '../../../harness/browser/raw-cdp-client.js';
import type { RawChromium } from '../../../harness/browser/raw-chromium.js';
import { RawPage } from '../../../harness/browser/raw-page.js';

const COMPLETE_POLL_MS = 200;
/** The ProgressRecorder's own sampling interval, so both peers' samples line up on the timeline. */
const SAMPLE_INTERVAL_MS = 100;
const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * Page-side: the bundled app's state as <main id="app">'s data-* attributes — the same facts
 * BundledApp.progress() reads through Playwright (adapters/bundled-app.ts).
 */
const READ_DATASET = `JSON.stringify({ ...document.getElementById('app')?.dataset })`;
/** Page-side: the app's own document (not the tab's initial about:blank) is up. */
const APP_READY = `location.protocol !== 'about:' && !!document.getElementById('app')`;
const CLICK_DOWNLOAD = `(() => {
  const b = document.querySelector('[data-testid="download"]');
  if (!b || b.disabled) throw new Error('the download button is missing or disabled');
  b.click();
  return true;
})()`;

/**
 * The bundled app's receiver in a tab of a raw Chromium, with nothing of Playwright attached
 * (raw-page.ts), so Chromium may hide and throttle it like a user's background tab. Specific to
 * the bundled app (its data-* attributes, its download button), like adapters/bundled-app.ts.
 */
export class RawReceiverPeer {
  private constructor(
    readonly browser: RawChromium,
    readonly page: RawPage,
  ) {}

  /** Opens the receive `link` in a new tab of `browser` and waits for the app to be up. */
  static async open(browser: RawChromium, link: string): Promise<RawReceiverPeer> {
    return new RawReceiverPeer(browser, await RawPage.open(browser, link, { tag: '[receiver/raw]', ready: APP_READY }));
  }

  async progress(): Promise<TransferProgress> {
    return progressFromDataset(JSON.parse(await this.page.evaluate<string>(READ_DATASET)) as Record<string, string>);
  }

  /**
   * Feeds this peer's progress into `recorder` as `name` (the recorder polls Playwright pages
   * only), so the timeline and the reporter's throughput-during-fault cover the raw receiver too.
   * Returns the function that stops it; it also stops once the browser's connection is gone.
   */
  recordInto(recorder: ProgressRecorder, name = 'receiver'): () => Promise<void> {
    let running = true;
    const loop = (async () => {
      while (running && !this.browser.client.closed) {
        const sample = await this.progress().catch(() => undefined);
        if (sample) recorder.samples.push({ ...sample, t: recorder.now(), peer: name });
        await new Promise((r) => setTimeout(r, SAMPLE_INTERVAL_MS));
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  }

  /** Resolves once the receiver has verified at least `bytes`. */
  async waitForVerified(bytes: number, timeoutMs: number): Promise<TransferProgress> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.progress();
    while (last.verifiedBytes < bytes) {
      if (Date.now() > deadline) throw new HarnessError('ERR_TIMEOUT', `the raw receiver verified ${last.verifiedBytes} of the ${bytes} bytes awaited in ${timeoutMs} ms`, { context: { last }, hint: 'See the raw receiver console and the sender console (attached on failure).' });
      await new Promise((r) => setTimeout(r, SAMPLE_INTERVAL_MS));
      last = await this.progress();
    }
    return last;
  }

  /** Like BundledApp.waitForComplete (same completionOutcome): resolves on `complete`, rejects when it never will, or on timeout. */
  async waitForComplete(timeoutMs: number): Promise<TransferProgress> {
    const deadline = Date.now() + timeoutMs;
    let last: TransferProgress | undefined;
    while (Date.now() < deadline) {
      last = await this.progress();
      const outcome = completionOutcome(last);
      if (outcome === 'complete') return last;
      if (outcome) throw outcome;
      await new Promise((r) => setTimeout(r, COMPLETE_POLL_MS));
    }
    throw new HarnessError('ERR_TIMEOUT', `transfer not complete after ${timeoutMs} ms`, {
      context: { last },
      hint: 'See the attached raw receiver console and browser log, and the signaling/coturn log tails.',
    });
  }

  /**
   * Saves the received file to `destPath` the way a user would — the app's "Save file" button, as
   * a real browser download (Browser.setDownloadBehavior) — like BundledApp.saveReceivedFile.
   */
  async saveReceivedFile(destPath: string): Promise<void> {
    const { client } = this.browser;
    const dir = fs.mkdtempSync(path.join(path.dirname(destPath), 'raw-download-'));
    try {
      await client.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: dir, eventsEnabled: true });
      const begun = client.waitForEvent('Browser.downloadWillBegin', () => true, DOWNLOAD_TIMEOUT_MS);
      // Handled here too, so a click that throws first leaves no unhandled rejection behind.
      void begun.catch(() => undefined);
      await this.page.evaluate<boolean>(CLICK_DOWNLOAD, { userGesture: true });
      const { guid } = await begun;
      const done = await client.waitForEvent('Browser.downloadProgress', (e) => e.guid === guid && e.state !== 'inProgress', DOWNLOAD_TIMEOUT_MS);
      if (done.state !== 'completed') throw new CdpError('ERR_CDP_PROTOCOL', `the download was ${done.state}`, { context: { guid, receivedBytes: done.receivedBytes }, hint: 'See the raw browser log.' });
      // allowAndName stores the file under its guid, so the name is ours to choose.
      fs.renameSync(path.join(dir, guid), destPath);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
