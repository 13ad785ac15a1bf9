import type { AppError } from '../errors.js';
import { formatBytes, formatDuration } from './format.js';
import { RateMeter } from './rate-meter.js';

const MAX_EVENTS = 200;
const PROGRESS_REPAINT_MS = 100;

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`missing #${id}`);
  return e as T;
}

/**
 * Everything the user sees. The same facts are mirrored as data-* attributes on <main>, which is
 * how a test (or a screen reader's user) reads state without parsing prose.
 */
export class View {
  readonly root = el<HTMLElement>('app');
  private readonly rate = new RateMeter();
  private readonly started = performance.now();
  private pendingProgress: [number, number] | undefined;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingData: Record<string, string | number> = {};
  private dataTimer: ReturnType<typeof setTimeout> | undefined;

  setRole(role: 'sender' | 'receiver'): void {
    this.root.dataset.role = role;
    el('send-panel').hidden = role !== 'sender';
    el('receive-panel').hidden = role !== 'receiver';
  }

  setSignaling(text: string, state: string): void {
    el('signaling-state').textContent = text;
    this.root.dataset.signalingState = state;
  }

  setLink(state: string, detail: string): void {
    el('link-state').textContent = detail ? `${state} (${detail})` : state;
    this.root.dataset.linkState = state;
  }

  setPhase(phase: string, detail: string): void {
    this.flushData();
    el('phase').textContent = detail ? `${phase}: ${detail}` : phase;
    this.root.dataset.phase = phase;
    this.event(`${phase}${detail ? `: ${detail}` : ''}`);
  }

  /** Counters change per chunk; they are written to the DOM at the repaint rate too. */
  setData(values: Record<string, string | number>): void {
    Object.assign(this.pendingData, values);
    if (this.dataTimer !== undefined) return;
    this.flushData();
    this.dataTimer = setTimeout(() => {
      this.dataTimer = undefined;
      this.flushData();
    }, PROGRESS_REPAINT_MS);
  }

  private flushData(): void {
    for (const [k, v] of Object.entries(this.pendingData)) this.root.dataset[k] = String(v);
    this.pendingData = {};
  }

  /** Repaints at most every PROGRESS_REPAINT_MS: a repaint per chunk costs more CPU than the transfer. */
  progress(doneBytes: number, totalBytes: number): void {
    this.pendingProgress = [doneBytes, totalBytes];
    if (this.progressTimer !== undefined) return;
    this.paintProgress();
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      if (this.pendingProgress) this.paintProgress();
    }, PROGRESS_REPAINT_MS);
  }

  private paintProgress(): void {
    const [doneBytes, totalBytes] = this.pendingProgress!;
    this.pendingProgress = undefined;
    const bar = el<HTMLProgressElement>('progress');
    bar.max = Math.max(totalBytes, 1);
    bar.value = doneBytes;
    const bps = this.rate.sample(doneBytes);
    const eta = bps > 0 ? ((totalBytes - doneBytes) / bps) * 1000 : Infinity;
    el('progress-text').textContent = `${formatBytes(doneBytes)} of ${formatBytes(totalBytes)} · ${formatBytes(bps)}/s · ETA ${doneBytes >= totalBytes ? 'done' : formatDuration(eta)}`;
  }

  showError(err: AppError): void {
    const box = el('error');
    box.hidden = false;
    box.textContent = `${err.message}${err.hint ? `\n${err.hint}` : ''}`;
    this.root.dataset.errorCode = err.code;
    this.event(`error ${err.message}`);
  }

  clearError(): void {
    el('error').hidden = true;
    delete this.root.dataset.errorCode;
  }

  showLink(url: string): void {
    el('share').hidden = false;
    const a = el<HTMLAnchorElement>('room-link');
    a.href = url;
    a.textContent = url;
    el('copy-link').onclick = () => void navigator.clipboard?.writeText(url);
  }

  showIncoming(text: string): void {
    el('incoming').textContent = text;
  }

  offerDownload(file: Blob, name: string): void {
    const button = el<HTMLButtonElement>('download');
    button.disabled = false;
    button.onclick = () => {
      const url = URL.createObjectURL(file);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    };
  }

  event(text: string): void {
    const list = el('events');
    const li = document.createElement('li');
    li.textContent = `${((performance.now() - this.started) / 1000).toFixed(2)} s  ${text}`;
    list.append(li);
    while (list.children.length > MAX_EVENTS) list.firstElementChild?.remove();
  }
}
