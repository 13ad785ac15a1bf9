import { fmtBytes, fmtDuration, fmtMs, fmtRate } from './format.js';
import type { RunRecord } from './run-record.js';
import { pairCells, pairColumns } from './engine-pairs.js';
import { fmtSpread } from './render-markdown.js';
import { passRate, reproduceCommand, type RowVerdict, type Scorecard, type ScenarioRow } from './scorecard.js';

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const BADGE: Record<RowVerdict | RunRecord['status'], string> = {
  passed: '#1a7f37',
  degraded: '#b26a00',
  flaky: '#bc4c00',
  broke: '#cf222e',
  failed: '#cf222e',
  interrupted: '#cf222e',
  skipped: '#6e7781',
  'not run': '#9a6700',
  'not covered': '#8250df',
};
const badge = (v: RowVerdict | RunRecord['status']) => `<span class="badge" style="background:${BADGE[v]}">${esc(v)}</span>`;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#1f2328;padding:0 16px}
h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a}.ready{padding:12px 16px;border-radius:6px;margin:16px 0;font-size:16px;color:#fff}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
.badge{color:#fff;border-radius:10px;padding:1px 8px;font-size:12px;white-space:nowrap}
code{background:#f6f8fa;padding:1px 4px;border-radius:4px;font-size:12px}
details{border:1px solid #d0d7de;border-radius:6px;margin:10px 0;padding:6px 12px}summary{cursor:pointer;font-weight:600}
.run{margin:8px 0 16px}.why{color:#57606a;margin:4px 0}.svg{overflow-x:auto}pre{white-space:pre-wrap;background:#fff8f8;padding:6px;border-radius:4px}
`;

/** The in-run proof of one injected fault, as a person reads it. */
function actedLine(f: RunRecord['faults'][number]): string {
  if (f.evidence === null) return 'no in-run counter for this fault';
  if (f.evidence === undefined) return f.healedAtMs === undefined ? 'not healed' : 'not measured (faults off)';
  return `${f.evidence.acted ? 'yes' : 'NO'}: ${f.evidence.summary}`;
}

function runBlock(run: RunRecord): string {
  const parts = [`<div class="run"><div>${badge(run.status)} ${esc(run.title)} <span class="meta">[${esc(run.browser)} · ${esc(run.project)} · ${fmtDuration(run.durationMs)}]</span></div>`];
  if (run.skipReason) parts.push(`<div class="why">skipped: ${esc(run.skipReason)}</div>`);
  if (run.error) parts.push(`<pre>${esc(run.error)}</pre><div>reproduce: <code>${esc(reproduceCommand(run))}</code></div>`);
  if (run.recovery) parts.push(`<div class="why">detect ${fmtMs(run.recovery.timeToDetectMs)} · recover ${fmtMs(run.recovery.timeToRecoverMs)} after heal · re-sent ${fmtBytes(run.recovery.resentBytes)} · throughput during fault ${fmtRate(run.throughputDuringFaultBps)}</div>`);
  if (run.faults.length > 0) parts.push(`<div class="why">faults: ${run.faults.map((f) => `<code>${esc(f.name)} ${esc(JSON.stringify(f.params))}</code>`).join(' ')}</div>`);
  for (const f of run.faults) parts.push(`<div class="why">${esc(f.name)} acted? ${esc(actedLine(f))}</div>`);
  for (const n of run.notes) parts.push(`<div class="why">${esc(n)}</div>`);
  if (run.timelineSvg) parts.push(`<div class="svg">${run.timelineSvg}</div>`);
  parts.push('</div>');
  return parts.join('\n');
}

function scenarioBlock(r: ScenarioRow): string {
  const open = r.verdict === 'broke' || r.verdict === 'flaky' || r.verdict === 'degraded' ? ' open' : '';
  return `<details id="${r.id}"${open}><summary>${esc(r.id)} ${badge(r.verdict)} ${esc(r.fault)}</summary>
<div class="why">expected: ${esc(r.expected)} · level ${r.level}</div>
${r.why.map((w) => `<div class="why">${esc(w)}</div>`).join('\n')}
${r.runs.map(runBlock).join('\n')}</details>`;
}

/** index.html: self-contained (styles and SVG timelines inline), opens from disk. */
export function renderHtml(card: Scorecard): string {
  const ready = card.readiness.productionReady;
  const covered = card.rows.filter((r) => r.runs.length > 0);
  const list = (rows: ScenarioRow[], f: (r: ScenarioRow) => string) => (rows.length === 0 ? '<p class="meta">none</p>' : `<ul>${rows.map((r) => `<li><a href="#${r.id}">${r.id}</a> ${f(r)}</li>`).join('')}</ul>`);
  const broke = card.rows.filter((r) => r.verdict === 'broke' || r.verdict === 'flaky');
  const trend = card.trend;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Resilience scorecard</title><style>${STYLE}</style></head><body>
<h1>Resilience scorecard</h1>
<div class="meta">Generated ${esc(card.generatedAt)} · Playwright run took ${fmtDuration(card.durationMs)}${card.vitestRanAt ? ` · server-side scenarios from the vitest run at ${esc(card.vitestRanAt)}` : ''}</div>
<div class="ready" style="background:${ready ? '#1a7f37' : '#cf222e'}">${ready ? 'Production ready' : 'Not production ready'}: ${esc(card.readiness.reason)}</div>
${card.mode?.noise ? `<div class="meta">Background noise during the run: <b>${esc(card.mode.noise)}</b></div>` : ''}
${card.mode?.faultsOff ? `<h2>Faults off: does each fault scenario fail without its fault?</h2><ul>${card.rows.filter((x) => x.faultsOff !== undefined).map((r) => `<li><a href="#${r.id}">${r.id}</a> ${r.faultsOff === 'proven' ? badge('passed').replace('passed', 'proven') : badge('broke').replace('broke', 'unproven')} passed ${passRate(r)} with faults off</li>`).join('')}</ul>` : ''}
<h2>Per tier</h2>
<table><tr><th>tier</th><th>scenarios</th><th>passed</th><th>degraded</th><th>flaky</th><th>broke</th><th>skipped</th><th>not run</th><th>not covered</th><th>recovery p50</th><th>recovery p95</th></tr>
${card.tiers.map((t) => `<tr><td>${t.tier}</td><td class="num">${t.scenarios}</td><td class="num">${t.passed}</td><td class="num">${t.degraded}</td><td class="num">${t.flaky}</td><td class="num">${t.broke}</td><td class="num">${t.skipped}</td><td class="num">${t.notRun}</td><td class="num">${t.notCovered}</td><td class="num">${fmtMs(t.recoverP50Ms)}</td><td class="num">${fmtMs(t.recoverP95Ms)}</td></tr>`).join('\n')}</table>
<h2>Scenarios</h2>
<table><tr><th>ID</th><th>level</th><th>fault</th><th>expected</th><th>verdict</th><th>passes</th><th>detect p50/p95 (min–max)</th><th>recover p50/p95 (min–max)</th><th>duration p50/p95 (min–max)</th><th>re-sent</th><th>throughput during fault</th><th>integrity</th><th>browser</th></tr>
${card.rows.map((r) => `<tr><td><a href="#${r.id}">${r.id}</a></td><td class="num">${r.level}</td><td>${esc(r.fault)}</td><td>${esc(r.expected)}</td><td>${badge(r.verdict)}</td><td class="num">${passRate(r)}</td><td class="num">${fmtSpread(r.detectSpread)}</td><td class="num">${fmtSpread(r.recoverSpread)}</td><td class="num">${fmtSpread(r.durationSpread)}</td><td class="num">${fmtBytes(r.resentBytes)}</td><td class="num">${fmtRate(r.throughputDuringFaultBps)}</td><td>${esc(r.integrity)}</td><td>${esc(r.browsers.join(', ') || '–')}</td></tr>`).join('\n')}</table>
${pairColumns(card.rows).length > 0 ? `<h2>Per engine pair</h2><table><tr><th>ID</th>${pairColumns(card.rows).map((p) => `<th>${esc(p)}</th>`).join('')}</tr>${covered.map((r) => { const c = pairCells(r.runs); return `<tr><td><a href="#${r.id}">${r.id}</a></td>${pairColumns(card.rows).map((p) => `<td>${c[p] ?? '–'}</td>`).join('')}</tr>`; }).join('\n')}</table>` : ''}
<h2>Broke under</h2>
${broke.length === 0 ? '<p class="meta">nothing broke</p>' : broke.map((r) => `<p><a href="#${r.id}">${r.id}</a> ${esc(r.fault)} (${r.verdict}, passed ${passRate(r)})</p><ul>${r.runs.filter((x) => x.status === 'failed' || x.status === 'interrupted').map((x) => `<li>${esc(x.title)} [${esc(x.browser)}]<br>reproduce: <code>${esc(reproduceCommand(x))}</code></li>`).join('')}</ul>`).join('\n')}
<h2>Survived but degraded</h2>
${list(card.rows.filter((r) => r.verdict === 'degraded'), (r) => esc(r.why.join('; ')))}
<h2>Handled gracefully</h2>
${list(card.rows.filter((r) => r.verdict === 'passed'), (r) => `${esc(r.expected)}${r.timeToRecoverMs !== undefined ? ` (recovered in ${fmtMs(r.timeToRecoverMs)})` : ''}`)}
<h2>Critical gaps</h2>
${card.gaps.length === 0 ? '<p class="meta">none</p>' : `<ul>${card.gaps.map((g) => `<li>${esc(g)}</li>`).join('')}</ul>`}
${trend ? `<h2>Compared with the previous run</h2><p class="meta">previous: ${esc(trend.previousGeneratedAt)}</p><ul><li>new failures: ${esc(trend.newFailures.join(', ') || 'none')}</li><li>fixed: ${esc(trend.fixed.join(', ') || 'none')}</li><li>slower recovery: ${esc(trend.slower.map((s) => `${s.id} ${fmtMs(s.beforeMs)} → ${fmtMs(s.nowMs)}`).join(', ') || 'none')}</li><li>pass rate changed: ${esc((trend.passRates ?? []).map((x) => `${x.id} ${x.before} → ${x.now}`).join(', ') || 'none')}</li></ul>` : ''}
<h2>Timelines and runs</h2>
<p class="meta">Lines: bytes verified by each peer. Bands: the connection state each app showed. Red shading: a fault active (red line injected, green dashed line healed).</p>
${covered.map(scenarioBlock).join('\n')}
${card.otherRuns.length > 0 ? `<h2>Other tests (no catalogue row)</h2>${card.otherRuns.map(runBlock).join('\n')}` : ''}
</body></html>
`;
}
