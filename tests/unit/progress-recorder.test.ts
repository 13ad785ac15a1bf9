import type { Page } from '@playwright/test';
import { describe, expect, it } from 'vitest';
import type { TransferApp, TransferProgress } from '../../harness/app-adapter.js';
import { ProgressRecorder } from '../../harness/probes/progress-recorder.js';

/** Only what the recorder calls: `progress()` on the adapter, `isClosed()` on the page. */
function appReading(state: { verifiedBytes: number }): TransferApp {
  return { progress: async (): Promise<TransferProgress> => ({ verifiedBytes: state.verifiedBytes }) as TransferProgress } as unknown as TransferApp;
}
const openPage = { isClosed: () => false } as unknown as Page;

describe('ProgressRecorder', () => {
  it('records the state at stop even when the transfer completed between two polls (NET-3 missed its last quarter)', async () => {
    const state = { verifiedBytes: 0 };
    const rec = new ProgressRecorder(appReading(state), { receiver: () => openPage });
    await new Promise((r) => setTimeout(r, 250));
    const polled = rec.samples.length;
    expect(polled).toBeGreaterThan(0);
    // Completes right after a poll, and the test stops the recorder at once (waitForComplete returned).
    state.verifiedBytes = 1024;
    await rec.stop();
    expect(rec.samples.at(-1)).toMatchObject({ peer: 'receiver', verifiedBytes: 1024 });
    const after = rec.samples.length;
    await rec.stop();
    expect(rec.samples).toHaveLength(after);
    ProgressRecorder.takeAll();
  });

  it('takes no sample of a closed page', async () => {
    const rec = new ProgressRecorder(appReading({ verifiedBytes: 5 }), { receiver: () => ({ isClosed: () => true }) as unknown as Page, sender: () => undefined });
    await rec.stop();
    expect(rec.samples).toEqual([]);
    ProgressRecorder.takeAll();
  });
});
