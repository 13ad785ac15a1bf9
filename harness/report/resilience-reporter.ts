import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { runRecordFromPlaywright } from './collect-playwright.js';
import { runRecordsFromVitest } from './collect-vitest.js';
import { scenarioCoverage } from './coverage.js';
import { runModeFromEnv } from './faults-off.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import type { RunRecord } from './run-record.js';
import { buildScorecard, type Scorecard } from './scorecard.js';

export interface ResilienceReporterOptions {
  /** Where index.html, scorecard.md and scorecard.json go (relative to the config's rootDir's parent: the repo). */
  outputFolder?: string;
  /** vitest's JSON report holding the server-side scenarios (SIG-4, SIG-5, SEC-2…). */
  vitestJson?: string;
}

/** Server-side results older than this before the Playwright run are left out, not shown as current. */
const VITEST_MAX_AGE_MS = 2 * 60 * 60 * 1000;

/**
 * Writes reports/resilience/{index.html, scorecard.md, scorecard.json}: one row per catalogue
 * scenario with its verdict and recovery figures, tier summaries, the readiness verdict, gaps,
 * and the trend against the previous scorecard in the same folder.
 */
export default class ResilienceReporter implements Reporter {
  private readonly results = new Map<string, { test: TestCase; result: TestResult; flaky?: boolean }>();
  private repoDir = process.cwd();
  private startedAtMs = Date.now();
  private readonly outDir: string;
  private readonly vitestJson: string;

  constructor(opts: ResilienceReporterOptions = {}) {
    this.outDir = opts.outputFolder ?? 'reports/resilience';
    this.vitestJson = opts.vitestJson ?? 'reports/vitest.json';
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, _suite: Suite): void {
    // `playwright merge-reports` without -c has no configFile and sets rootDir to the test dir
    // (tests/e2e): the repo is then the nearest folder above it holding a package.json.
    this.repoDir = config.configFile ? path.dirname(config.configFile) : repoAbove(config.rootDir);
    this.startedAtMs = Date.now();
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // Each --repeat-each copy is its own TestCase id, so every repeat is kept. Retries replace
    // earlier attempts, but a pass after a failed attempt is Playwright's "flaky": it must never
    // read as passed, so it is recorded as a failure naming the earlier attempt.
    const earlier = this.results.get(test.id);
    const failedBefore = earlier !== undefined && (earlier.result.status === 'failed' || earlier.result.status === 'timedOut' || earlier.flaky === true);
    this.results.set(test.id, { test, result, flaky: failedBefore && result.status === 'passed' });
  }

  onEnd(result: FullResult): void {
    const runs: RunRecord[] = [...this.results.values()].map(({ test, result: r, flaky }) => {
      const rec = runRecordFromPlaywright(test, r, this.repoDir);
      return flaky ? { ...rec, status: 'failed' as const, error: `Playwright flaky: passed on retry ${r.retry} after a failed attempt (retries should be 0)` } : rec;
    });
    const vitest = runRecordsFromVitest(path.resolve(this.repoDir, this.vitestJson), this.repoDir);
    const vitestFresh = vitest && vitest.ranAtMs >= this.startedAtMs - VITEST_MAX_AGE_MS;
    if (vitestFresh) runs.push(...vitest.records);
    const outDir = path.resolve(this.repoDir, this.outDir);
    const previous = readPrevious(path.join(outDir, 'scorecard.json'));
    const card = buildScorecard({
      runs,
      durationMs: result.duration,
      previous,
      vitestRanAtMs: vitestFresh ? vitest.ranAtMs : undefined,
      coverage: scenarioCoverage(this.repoDir),
      mode: runModeFromEnv(),
    });
    if (vitest && !vitestFresh) card.gaps.push(`server-side scenario results in ${this.vitestJson} are older than 2 h and were left out; \`npm run chaos\` runs them again`);
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'index.html'), renderHtml(card));
    fs.writeFileSync(path.join(outDir, 'scorecard.md'), renderMarkdown(card));
    fs.writeFileSync(path.join(outDir, 'scorecard.json'), JSON.stringify(withoutSvg(card), null, 2));
    const count = (v: string) => card.rows.filter((r) => r.verdict === v).length;
    console.log(`\nResilience scorecard: ${count('passed')} passed, ${count('degraded')} degraded, ${count('flaky')} flaky, ${count('broke')} broke, ${count('skipped')} skipped, ${count('not run')} not run, ${count('not covered')} not covered of ${card.rows.length} scenarios — ${card.readiness.productionReady ? 'production ready' : 'not production ready'}`);
    console.log(`  ${path.join(outDir, 'index.html')}`);
  }
}

function repoAbove(dir: string): string {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return path.resolve(dir);
  }
}

function readPrevious(file: string): Scorecard | undefined {
  try {
    const card = JSON.parse(fs.readFileSync(file, 'utf8')) as Scorecard;
    return card.schemaVersion === 1 ? card : undefined;
  } catch {
    return undefined;
  }
}

/** The JSON stays small and diffable: timelines live in the HTML and in the Playwright report. */
function withoutSvg(card: Scorecard): Scorecard {
  const strip = (r: RunRecord): RunRecord => ({ ...r, timelineSvg: undefined });
  return { ...card, rows: card.rows.map((row) => ({ ...row, runs: row.runs.map(strip) })), otherRuns: card.otherRuns.map(strip) };
}
