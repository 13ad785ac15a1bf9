import fs from 'node:fs';
import { expect, test } from '../../harness/fixtures.js';
import { describeGrowth, sampleTreeRss } from '../../harness/probes/rss-sampler.js';
import { expectIntact, startTransfer } from '../../harness/scenario/transfer-session.js';

const MIB = 1024 * 1024;
/** The row asks for 1 GiB and up. */
const FULL_SIZE_MIB = 1024;
/**
 * What the default suite sends. 1 GiB took 576 s here (1.78 MiB/s on two loaded cores), which the
 * CI budget cannot hold; 128 MiB takes ~1-1.5 min and, with the bound below, still tells a
 * streaming app from one that buffers the file. `RES2_FILE_MIB=1024` runs the full row.
 */
const DEFAULT_SIZE_MIB = 128;
const FILE_MIB = Number(process.env.RES2_FILE_MIB ?? DEFAULT_SIZE_MIB);
/**
 * Peak growth of each browser's summed RSS (whole process tree) over its value when the receiver
 * opened the link. Measured here (receiver): 116 MiB for 32 MiB, ~174 for 64 MiB (bench), 168 for
 * 256 MiB, 255 for 384 MiB, 444-508 for 1 GiB; sender 30-130 MiB at any size. The receiver's
 * timeline (rss.json, now split by kind of memory and by process) is flat while data flows
 * (±50 MiB; at 128 MiB the peak is the renderer warming up in the first seconds) and at 1 GiB
 * rises at the end, during assembly, by ~45% of the file, all of it anonymous memory: the browser
 * process +218 MiB, which fits it holding a handle for each of the 8,192 chunk Blobs read back
 * from IndexedDB (the finished file is a Blob made of them; inferred, not traced), and the
 * renderer +246 MiB, swinging ±60 MiB in 1.5 s like a GC sawtooth
 * of the 8 MiB slices the whole-file hash reads. No copy of the file is kept: it goes when the
 * page does. So a streaming browser costs ~100-180 MiB plus up to ~45% of the file at the end. The
 * bound, 180 MiB + 50% of the file, holds every measurement with room, and an app that holds the
 * whole file in memory (~170 MiB + the file) exceeds it at any size above ~20 MiB: at the default
 * 128 MiB ~298 MiB against a 244 MiB bound, at 1 GiB ~1,190 against 692.
 */
const rssGrowthBoundMiB = (fileMiB: number): number => 180 + fileMiB * 0.5;
const RSS_SAMPLE_INTERVAL_MS = 500;
/** Slowest rate still accepted, for the timeout only (loaded 2-core machine, other suites running). */
const SLOWEST_MIB_PER_S = 0.5;

// Playwright's trace screencast costs as much CPU as the transfer itself (measured: 650 vs 310 ms
// of sender CPU per MiB); keep the trace, drop its screenshots.
test.use({ trace: { mode: 'retain-on-failure', screenshots: false } });

test(`RES-2: a ${FILE_MIB} MiB file${FILE_MIB < FULL_SIZE_MIB ? ' (reduced from 1 GiB: RES2_FILE_MIB=1024 for the full row)' : ''} completes with bounded memory in both browsers`, async ({
  peers,
  app,
  makeFile,
  workDir,
}, testInfo) => {
  expect(Number.isInteger(FILE_MIB) && FILE_MIB > 0, `RES2_FILE_MIB=${process.env.RES2_FILE_MIB} is a whole number of MiB`).toBe(true);
  const transferTimeoutMs = (FILE_MIB / SLOWEST_MIB_PER_S) * 1000;
  test.setTimeout(transferTimeoutMs + 180_000);
  if (FILE_MIB < FULL_SIZE_MIB) {
    const note = `RES-2 ran at ${FILE_MIB} MiB, not 1 GiB (CI budget); RES2_FILE_MIB=1024 runs the full size`;
    testInfo.annotations.push({ type: 'reduced-size', description: note });
    console.warn(note);
  }

  const source = await makeFile(FILE_MIB * MIB);
  const s = await startTransfer({ peers, app, source });
  const roots = { sender: s.sender.pid, receiver: s.receiver.pid };
  expect(roots.sender, 'the sender browser PID is known').toBeDefined();
  expect(roots.receiver, 'the receiver browser PID is known').toBeDefined();
  const sampler = sampleTreeRss({ sender: roots.sender!, receiver: roots.receiver! }, RSS_SAMPLE_INTERVAL_MS);
  // The sampler's clock starts now; the recorder's started earlier: this maps one onto the other.
  const samplerStartOnRecorder = s.recorder.now();
  const started = Date.now();
  let peaks;
  let completeAt: number | undefined;
  try {
    await app.waitForComplete(s.receiver.page, transferTimeoutMs);
    completeAt = s.recorder.now();
  } finally {
    peaks = sampler.stop();
    await s.recorder.stop();
  }
  const seconds = (Date.now() - started) / 1000;

  const growth = (name: 'sender' | 'receiver') => peaks[name]!.peakMiB - peaks[name]!.startMiB;
  const line = (name: 'sender' | 'receiver') =>
    `${name} peak ${peaks[name]!.peakMiB.toFixed(0)} MiB (growth ${growth(name).toFixed(0)} MiB, ${peaks[name]!.processesAtPeak} processes)`;
  // While data flows (a quarter verified → every chunk verified) against the end (assembly and the
  // whole-file hash): where the receiver's memory goes, reported beside the peak.
  const rx = s.recorder.samples.filter((x) => x.peer === 'receiver');
  const quarterAt = rx.find((x) => x.verifiedBytes >= source.sizeBytes / 4)?.t;
  const allAt = rx.find((x) => x.verifiedBytes >= source.sizeBytes)?.t;
  const rxRss = (from: number, to: number) => sampler.timeline.filter((p) => p.t + samplerStartOnRecorder >= from && p.t + samplerStartOnRecorder <= to).map((p) => p.mib.receiver ?? 0);
  const flowing = quarterAt !== undefined && allAt !== undefined ? rxRss(quarterAt, allAt) : [];
  const flowGrowth = flowing.length > 1 ? Math.max(...flowing) - flowing[0]! : undefined;
  const assembly = allAt !== undefined && completeAt !== undefined ? `, which took ${((completeAt - allAt) / 1000).toFixed(1)} s` : '';
  const phases = flowGrowth === undefined ? 'phases not recorded' : `receiver grew ${flowGrowth.toFixed(0)} MiB while data flowed (a quarter verified → all verified), the rest during assembly and the whole-file hash${assembly}`;
  const summary = `file ${FILE_MIB} MiB in ${seconds.toFixed(0)} s (${(FILE_MIB / seconds).toFixed(2)} MiB/s); ${line('receiver')}; ${line('sender')}; ${phases}; receiver growth by kind and process: ${describeGrowth(sampler.timeline, 'receiver')}; summed RSS of each browser's process tree, sampled every ${RSS_SAMPLE_INTERVAL_MS} ms`;
  testInfo.annotations.push({ type: 'memory', description: summary });
  console.log(`RES-2: ${summary}`);
  const file = testInfo.outputPath('rss.json');
  fs.writeFileSync(file, JSON.stringify({ fileMiB: FILE_MIB, seconds, peaks, timeline: sampler.timeline }, null, 1));
  await testInfo.attach('rss.json', { path: file, contentType: 'application/json' });

  for (const name of ['receiver', 'sender'] as const) {
    // Soft: the integrity check below still runs and reports when memory is over.
    expect.soft(growth(name), `${name}: RSS growth stays under 180 MiB + 50% of the file (an app holding the whole file exceeds it)`).toBeLessThan(rssGrowthBoundMiB(FILE_MIB));
  }
  await expectIntact(app, s, workDir);
});
