import type { TestInfo } from '@playwright/test';
import type { FaultRecord } from '../faults/chaos-controller.js';
import { ProgressRecorder } from '../probes/progress-recorder.js';
import type { TimelineData } from './timeline-data.js';
import { timelineSvg } from './timeline-svg.js';

/**
 * Stops every progress recorder the test made and attaches, for each, `timeline.json` (samples
 * plus the clock they count from) and `timeline.svg` (the picture: progress, connection states,
 * fault windows). The Playwright HTML report shows the SVG inline; the resilience reporter
 * embeds it in reports/resilience/index.html.
 */
export async function attachTimelines(testInfo: TestInfo, faults: readonly FaultRecord[]): Promise<void> {
  const recorders = ProgressRecorder.takeAll();
  for (const [i, rec] of recorders.entries()) {
    await rec.stop();
    if (rec.samples.length === 0) continue;
    const suffix = recorders.length > 1 ? `-${i + 1}` : '';
    const data: TimelineData = { startedAtMs: rec.startedAt, samples: rec.samples };
    await testInfo.attach(`timeline${suffix}.json`, { body: JSON.stringify(data), contentType: 'application/json' });
    await testInfo.attach(`timeline${suffix}.svg`, { body: timelineSvg(data, faults, testInfo.title), contentType: 'image/svg+xml' });
  }
}
