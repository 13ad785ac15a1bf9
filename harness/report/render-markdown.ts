import { pairTableMarkdown } from './engine-pairs.js';
import { fmtBytes, fmtDuration, fmtMs, fmtRate } from './format.js';
import { passRate, reproduceCommand, type Scorecard, type ScenarioRow, type Spread } from './scorecard.js';

/** p50/p95 (min–max) across repeats; a single run shows just its figure. */
export const fmtSpread = (s: Spread | undefined): string => (s === undefined ? '–' : s.n === 1 ? fmtMs(s.p50) : `${fmtMs(s.p50)}/${fmtMs(s.p95)} (${fmtMs(s.min)}–${fmtMs(s.max)})`);

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function sectionRows(rows: ScenarioRow[], empty: string, line: (r: ScenarioRow) => string[]): string[] {
  return rows.length === 0 ? [`_${empty}_`, ''] : [...rows.flatMap(line), ''];
}

/** scorecard.md: the same content as index.html, for CI logs, PR comments and terminals. */
export function renderMarkdown(card: Scorecard): string {
  const out: string[] = [];
  const ready = card.readiness.productionReady ? '**production ready**' : '**not production ready**';
  out.push('# Resilience scorecard', '');
  out.push(`Generated ${card.generatedAt} · Playwright run took ${fmtDuration(card.durationMs)}${card.vitestRanAt ? ` · server-side scenarios from the vitest run at ${card.vitestRanAt}` : ''}`, '');
  const mode = card.mode as Scorecard['mode'] | undefined;
  if (mode?.noise) out.push(`Background noise during the run: **${mode.noise}**.`, '');
  out.push(`Readiness: ${ready} — ${card.readiness.reason}.`, '');
  if (mode?.faultsOff) {
    out.push('## Faults off: does each fault scenario fail without its fault?', '');
    for (const r of card.rows.filter((x) => x.faultsOff !== undefined)) out.push(`- **${r.id}** ${r.faultsOff} (passed ${passRate(r)} with faults off)`);
    out.push('');
  }
  out.push('## Per tier', '', '| tier | scenarios | passed | degraded | flaky | broke | skipped | not run | not covered | recovery p50 | recovery p95 |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const t of card.tiers) out.push(`| ${t.tier} | ${t.scenarios} | ${t.passed} | ${t.degraded} | ${t.flaky} | ${t.broke} | ${t.skipped} | ${t.notRun} | ${t.notCovered} | ${fmtMs(t.recoverP50Ms)} | ${fmtMs(t.recoverP95Ms)} |`);
  out.push('', '## Scenarios', '');
  out.push('| ID | level | fault | expected | verdict | passes | detect p50/p95 (min–max) | recover p50/p95 (min–max) | duration p50/p95 (min–max) | re-sent | throughput during fault | integrity | browser |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of card.rows) {
    out.push(`| ${r.id} | ${r.level} | ${cell(r.fault)} | ${cell(r.expected)} | ${r.verdict} | ${passRate(r)} | ${fmtSpread(r.detectSpread)} | ${fmtSpread(r.recoverSpread)} | ${fmtSpread(r.durationSpread)} | ${fmtBytes(r.resentBytes)} | ${fmtRate(r.throughputDuringFaultBps)} | ${r.integrity} | ${r.browsers.join(', ') || '–'} |`);
  }
  out.push('', ...pairTableMarkdown(card.rows));
  out.push('## Broke under', '');
  out.push(...sectionRows(card.rows.filter((r) => r.verdict === 'broke' || r.verdict === 'flaky'), 'nothing broke', (r) => [
    `- **${r.id}** ${r.fault} (${r.verdict}, passed ${passRate(r)})`,
    ...r.runs.filter((x) => x.status === 'failed' || x.status === 'interrupted').flatMap((x) => [`  - ${x.title} [${x.browser}]: ${cell(x.error?.split('\n')[0] ?? x.status)}`, `    reproduce: \`${reproduceCommand(x)}\``]),
  ]));
  out.push('## Survived but degraded', '');
  out.push(...sectionRows(card.rows.filter((r) => r.verdict === 'degraded'), 'none', (r) => [`- **${r.id}** ${r.why.join('; ')}`]));
  out.push('## Handled gracefully', '');
  out.push(...sectionRows(card.rows.filter((r) => r.verdict === 'passed'), 'none', (r) => [`- **${r.id}** ${r.expected}${r.timeToRecoverMs !== undefined ? ` (recovered in ${fmtMs(r.timeToRecoverMs)})` : ''}`]));
  out.push('## Critical gaps', '');
  out.push(...(card.gaps.length === 0 ? ['_none_', ''] : [...card.gaps.map((g) => `- ${g}`), '']));
  if (card.trend) {
    const t = card.trend;
    out.push(`## Compared with the previous run (${t.previousGeneratedAt})`, '');
    out.push(`- new failures: ${t.newFailures.join(', ') || 'none'}`);
    out.push(`- fixed: ${t.fixed.join(', ') || 'none'}`);
    out.push(`- slower recovery: ${t.slower.map((s) => `${s.id} ${fmtMs(s.beforeMs)} → ${fmtMs(s.nowMs)}`).join(', ') || 'none'}`);
    out.push(`- pass rate changed: ${(t.passRates ?? []).map((x) => `${x.id} ${x.before} → ${x.now}`).join(', ') || 'none'}`, '');
  }
  if (card.otherRuns.length > 0) {
    out.push('## Other tests (no catalogue row)', '');
    for (const x of card.otherRuns) out.push(`- ${x.status}: ${x.title} [${x.browser}] (${fmtDuration(x.durationMs)})`);
    out.push('');
  }
  return out.join('\n');
}
