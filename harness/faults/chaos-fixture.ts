import type { TestInfo } from '@playwright/test';
import { attachTimelines } from '../report/attach-timelines.js';
import { ChaosController } from './chaos-controller.js';

/**
 * The body of every `chaos` fixture: hands the test a controller, then heals whatever is still
 * injected — even when the test failed — and attaches what was injected (faults.json) and the
 * progress timelines (timeline.json/svg).
 */
export async function provideChaos(testInfo: TestInfo, use: (chaos: ChaosController) => Promise<void>): Promise<void> {
  const chaos = new ChaosController(testInfo);
  try {
    await use(chaos);
  } finally {
    try {
      await chaos.healAll();
    } finally {
      await chaos.attachRecords();
      await attachTimelines(testInfo, chaos.records);
    }
  }
}
