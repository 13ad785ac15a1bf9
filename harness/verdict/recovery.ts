import type { TestInfo } from '@playwright/test';
import type { ProgressRecorder } from '../probes/progress-recorder.js';

export interface RecoveryFigures {
  /** From injection to the first state the app showed that was not `connected`. */
  timeToDetectMs: number | undefined;
  /** From heal to the first newly verified byte at the receiver. */
  timeToRecoverMs: number | undefined;
  /** Verified bytes at the receiver when the fault was injected. */
  verifiedAtInjectBytes: number;
  /** Payload bytes the sender sent again over the whole transfer. */
  resentBytes: number | undefined;
}

/** Reads detection and recovery times off the recorded samples. */
export function recoveryFigures(rec: ProgressRecorder, injectAt: number, healAt: number, receiver = 'receiver', sender = 'sender'): RecoveryFigures {
  const atInject = rec.lastBefore(receiver, injectAt)?.verifiedBytes ?? 0;
  const detected = rec.firstAfter(receiver, injectAt, (s) => s.linkState !== undefined && s.linkState !== 'connected') ?? rec.firstAfter(sender, injectAt, (s) => s.linkState !== undefined && s.linkState !== 'connected');
  const atHeal = rec.lastBefore(receiver, healAt)?.verifiedBytes ?? atInject;
  const flowing = rec.firstAfter(receiver, healAt, (s) => s.verifiedBytes > atHeal);
  const lastSender = [...rec.samples].reverse().find((s) => s.peer === sender);
  return {
    timeToDetectMs: detected ? detected.t - injectAt : undefined,
    timeToRecoverMs: flowing ? flowing.t - healAt : undefined,
    verifiedAtInjectBytes: atInject,
    resentBytes: lastSender?.resentBytes,
  };
}

/**
 * Puts the figures on the test result: an annotation for the list/HTML report, JSON for the
 * resilience reporter. (The timeline itself is attached by the chaos fixture for every test.)
 */
export async function attachRecovery(testInfo: TestInfo, figures: RecoveryFigures): Promise<void> {
  const fmt = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
  testInfo.annotations.push({
    type: 'recovery',
    description: `detect ${fmt(figures.timeToDetectMs)}, recover ${fmt(figures.timeToRecoverMs)} after heal, re-sent ${((figures.resentBytes ?? 0) / 1048576).toFixed(2)} MiB`,
  });
  await testInfo.attach('recovery.json', { body: JSON.stringify(figures, null, 2), contentType: 'application/json' });
}
