import type { FaultRecord } from '../faults/chaos-controller.js';
import type { TimelineData } from './timeline-data.js';

const WIDTH_PX = 820;
const PLOT = { left: 64, right: 800, top: 34, bottom: 214 };
const BAND_HEIGHT_PX = 12;
const BAND_GAP_PX = 6;
const MIB = 1024 * 1024;
/** Samples come every ~100 ms; a longer silence means the peer's page was gone. */
const SAMPLE_GAP_MS = 1_500;
const PEER_COLOURS = ['#1f6fb4', '#e8750c', '#6a3d9a', '#17becf'];

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fx = (n: number) => n.toFixed(1);

/** Green for a working link, amber while it tries again, red when down; grey for anything else. */
function stateColour(state: string): string {
  const s = state.toLowerCase();
  if (s === 'connected' || s === 'joined' || s === 'complete') return '#2ca02c';
  if (/reconnect|connecting|checking|new|waiting|paused|retry/.test(s)) return '#f2b01e';
  if (/fail|closed|disconnect|offline|error|down|dead/.test(s)) return '#d62728';
  return '#b0b0b0';
}

function niceStep(span: number, targetTicks: number): number {
  const raw = span / targetTicks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
}

/**
 * The picture of one transfer scenario: bytes verified over time for each peer, a band per peer
 * coloured by the connection state its app showed, and the faults as shaded windows with a red
 * line where each was injected and a green one where it was healed. Self-contained SVG (inline
 * styles, no fonts to load), so it opens from disk and embeds in HTML as is.
 */
export function timelineSvg(data: TimelineData, faults: readonly FaultRecord[], title: string): string {
  const peers = [...new Set(data.samples.map((s) => s.peer))];
  const lastT = Math.max(1, ...data.samples.map((s) => s.t), ...faults.map((f) => (f.healedAtMs ?? f.injectedAtMs) - data.startedAtMs));
  const total = Math.max(1, ...data.samples.map((s) => s.totalBytes || s.verifiedBytes));
  const x = (t: number) => PLOT.left + (Math.max(0, t) / lastT) * (PLOT.right - PLOT.left);
  const y = (b: number) => PLOT.bottom - (b / total) * (PLOT.bottom - PLOT.top);
  const bandsTop = PLOT.bottom + 30;
  const height = bandsTop + peers.length * (BAND_HEIGHT_PX + BAND_GAP_PX) + 34;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH_PX} ${height}" width="${WIDTH_PX}" height="${height}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push(`<title>${esc(title)}</title>`);
  out.push(`<rect width="${WIDTH_PX}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${PLOT.left}" y="16" font-size="12" font-weight="600">${esc(title.length > 100 ? `${title.slice(0, 99)}…` : title)}</text>`);

  // Axes and grid.
  const tStep = niceStep(lastT / 1000, 8);
  for (let s = 0; s * 1000 <= lastT; s += tStep) {
    out.push(`<line x1="${fx(x(s * 1000))}" y1="${PLOT.top}" x2="${fx(x(s * 1000))}" y2="${PLOT.bottom}" stroke="#eee"/>`);
    out.push(`<text x="${fx(x(s * 1000))}" y="${PLOT.bottom + 14}" text-anchor="middle" fill="#555">${+s.toFixed(3)} s</text>`);
  }
  const bStep = niceStep(total / MIB, 4) * MIB;
  for (let b = 0; b <= total + 1; b += bStep) {
    out.push(`<line x1="${PLOT.left}" y1="${fx(y(b))}" x2="${PLOT.right}" y2="${fx(y(b))}" stroke="#eee"/>`);
    out.push(`<text x="${PLOT.left - 6}" y="${fx(y(b) + 4)}" text-anchor="end" fill="#555">${+(b / MIB).toFixed(1)} MiB</text>`);
  }
  out.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#999"/>`);

  // Fault windows under the lines, labels above the plot.
  faults.forEach((f, i) => {
    const from = x(f.injectedAtMs - data.startedAtMs);
    const to = x((f.healedAtMs ?? data.startedAtMs + lastT) - data.startedAtMs);
    out.push(`<rect x="${fx(from)}" y="${PLOT.top}" width="${fx(Math.max(1.5, to - from))}" height="${PLOT.bottom - PLOT.top}" fill="#d62728" fill-opacity="0.10"/>`);
    out.push(`<line x1="${fx(from)}" y1="${PLOT.top}" x2="${fx(from)}" y2="${PLOT.bottom}" stroke="#d62728" stroke-width="1.5"><title>${esc(`${f.name} injected`)}</title></line>`);
    if (f.healedAtMs !== undefined) out.push(`<line x1="${fx(to)}" y1="${PLOT.top}" x2="${fx(to)}" y2="${PLOT.bottom}" stroke="#2ca02c" stroke-width="1.5" stroke-dasharray="4 2"><title>${esc(`${f.name} healed`)}</title></line>`);
    out.push(`<text x="${fx(from + 3)}" y="${PLOT.top + 11 + (i % 4) * 12}" fill="#b2181b">${esc(f.name)}</text>`);
  });

  // Verified bytes, one line per peer (the sender's is what the receiver acknowledged).
  // A gap in the samples (a crashed tab, a killed browser) breaks the line instead of bridging it.
  peers.forEach((peer, i) => {
    const own = data.samples.filter((s) => s.peer === peer);
    const segments: string[][] = [];
    own.forEach((s, k) => {
      if (k === 0 || s.t - own[k - 1]!.t > SAMPLE_GAP_MS) segments.push([]);
      segments[segments.length - 1]!.push(`${fx(x(s.t))},${fx(y(s.verifiedBytes))}`);
    });
    for (const pts of segments) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${PEER_COLOURS[i % PEER_COLOURS.length]}" stroke-width="2"${i > 0 ? ' stroke-dasharray="6 3"' : ''}/>`);
  });

  // Connection-state bands.
  peers.forEach((peer, i) => {
    const top = bandsTop + i * (BAND_HEIGHT_PX + BAND_GAP_PX);
    out.push(`<text x="${PLOT.left - 6}" y="${top + 10}" text-anchor="end" fill="#333">${esc(peer)}</text>`);
    // One rectangle per run of equal states (no hairline gaps between samples).
    const own = data.samples.filter((s) => s.peer === peer);
    let k = 0;
    while (k < own.length) {
      const state = own[k]!.linkState ?? own[k]!.phase;
      let end = k + 1;
      while (end < own.length && (own[end]!.linkState ?? own[end]!.phase) === state) end++;
      const from = own[k]!.t;
      const to = own[end]?.t ?? own[end - 1]!.t + 100;
      out.push(`<rect x="${fx(x(from))}" y="${top}" width="${fx(Math.max(0.5, x(to) - x(from)))}" height="${BAND_HEIGHT_PX}" fill="${stateColour(state)}"><title>${esc(`${peer}: ${state} from ${(from / 1000).toFixed(1)} s to ${(to / 1000).toFixed(1)} s`)}</title></rect>`);
      k = end;
    }
  });
  out.push(`<text x="${PLOT.left}" y="${bandsTop - 8}" fill="#555">connection state the app showed</text>`);

  // Legend.
  const ly = height - 10;
  let lx = PLOT.left;
  const legend = (swatch: string, label: string) => {
    out.push(swatch.replace(/\{x\}/g, String(lx)).replace(/\{y\}/g, String(ly - 4)));
    out.push(`<text x="${lx + 22}" y="${ly}" fill="#333">${esc(label)}</text>`);
    lx += 28 + label.length * 6;
  };
  peers.forEach((peer, i) => legend(`<line x1="{x}" y1="{y}" x2="${lx + 18}" y2="{y}" stroke="${PEER_COLOURS[i % PEER_COLOURS.length]}" stroke-width="2"${i > 0 ? ' stroke-dasharray="6 3"' : ''}/>`, `${peer} verified`));
  legend(`<rect x="{x}" y="${ly - 9}" width="18" height="10" fill="#d62728" fill-opacity="0.2"/>`, 'fault active');
  legend(`<rect x="{x}" y="${ly - 9}" width="18" height="10" fill="#2ca02c"/>`, 'connected');
  legend(`<rect x="{x}" y="${ly - 9}" width="18" height="10" fill="#f2b01e"/>`, 'reconnecting');
  legend(`<rect x="{x}" y="${ly - 9}" width="18" height="10" fill="#d62728"/>`, 'down');
  out.push('</svg>');
  return out.join('\n');
}
