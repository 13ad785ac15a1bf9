import fs from 'node:fs';
import path from 'node:path';
import type { TestCase, TestResult } from '@playwright/test/reporter';
import type { FaultRecord } from '../faults/chaos-controller.js';
import { HASH_CHECK, SIZE_CHECK } from '../verdict/compare-files.js';
import type { RecoveryFigures } from '../verdict/recovery.js';
import { scenarioIdOf } from './catalogue.js';
import type { IntegrityVerdict, RunRecord, RunStatus } from './run-record.js';
import { throughputDuringFaults, type TimelineData } from './timeline-data.js';

const ANSI = /\u001b\[[0-9;]*m/g;

function attachmentText(result: TestResult, name: string): string | undefined {
  const a = result.attachments.find((x) => x.name === name);
  if (!a) return undefined;
  if (a.body) return a.body.toString('utf8');
  if (a.path && fs.existsSync(a.path)) return fs.readFileSync(a.path, 'utf8');
  return undefined;
}

function attachmentJson<T>(result: TestResult, name: string): T | undefined {
  const text = attachmentText(result, name);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function statusOf(result: TestResult): RunStatus {
  if (result.status === 'passed') return 'passed';
  if (result.status === 'skipped') return 'skipped';
  if (result.status === 'interrupted') return 'interrupted';
  return 'failed';
}

/** The two engines of a project, from the options a project sets (chromium when it sets none). */
function browserOf(test: TestCase): string {
  const use = (test.parent.project()?.use ?? {}) as { senderEngine?: string; receiverEngine?: string; browserName?: string };
  const fallback = use.browserName ?? 'chromium';
  return `${use.senderEngine ?? fallback}→${use.receiverEngine ?? fallback}`;
}

/** One Playwright test execution as a scorecard record. */
export function runRecordFromPlaywright(test: TestCase, result: TestResult, rootDir: string): RunRecord {
  const annotations = [...test.annotations, ...(result.annotations ?? [])];
  const seen = new Set<string>();
  const unique = annotations.filter((a) => {
    const key = `${a.type}\u0000${a.description ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const status = statusOf(result);
  const faults = attachmentJson<FaultRecord[]>(result, 'faults.json') ?? [];
  const timeline = attachmentJson<TimelineData>(result, 'timeline.json');
  const errorText = (result.error?.message ?? result.errors[0]?.message)?.replace(ANSI, '');
  let integrity: IntegrityVerdict = unique.some((a) => a.type === 'integrity') ? 'verified' : 'not checked';
  if (status === 'failed' && (errorText?.includes(HASH_CHECK) || errorText?.includes(SIZE_CHECK))) integrity = 'mismatch';
  return {
    scenarioId: scenarioIdOf(test.title) ?? scenarioIdOf(path.basename(test.location.file)),
    title: test.title,
    file: path.relative(rootDir, test.location.file),
    line: test.location.line,
    runner: 'playwright',
    project: test.parent.project()?.name ?? '',
    browser: browserOf(test),
    status,
    skipReason: status === 'skipped' ? (unique.find((a) => a.type === 'skip' || a.type === 'fixme')?.description ?? 'skipped without a reason') : undefined,
    error: errorText?.split('\n').slice(0, 4).join('\n'),
    durationMs: result.duration,
    recovery: attachmentJson<RecoveryFigures>(result, 'recovery.json'),
    throughputDuringFaultBps: timeline ? throughputDuringFaults(timeline, faults) : undefined,
    integrity,
    faults,
    notes: unique.filter((a) => !['skip', 'fixme', 'integrity', 'recovery'].includes(a.type)).map((a) => `${a.type}: ${a.description ?? ''}`),
    timelineSvg: attachmentText(result, 'timeline.svg'),
  };
}
