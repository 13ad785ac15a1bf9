import { WebSocket, type RawData } from 'ws';
import { HarnessError, type CdpErrorCode } from '../errors.js';
import { createLogger } from '../log.js';
import type { CdpCommands, CdpEventName, CdpEvents, CdpIncoming, CdpMethod, CdpRequest } from './raw-cdp-protocol.js';

/** A command the browser has not answered by then is reported, not awaited forever. */
const COMMAND_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;

// The codes live in the one error tree (lib/errors.ts), so errors.ts need not import this client.
export type { CdpErrorCode } from '../../lib/errors.js';

/** An error of the raw CDP client: a HarnessError (code, context, hint) whose codes are this client's. */
export class CdpError extends HarnessError {
  declare readonly code: CdpErrorCode;

  constructor(code: CdpErrorCode, message: string, opts: { context?: Record<string, unknown>; hint?: string; cause?: unknown } = {}) {
    super(code, message, opts);
    this.name = 'CdpError';
  }
}

const DEVTOOLS_LINE = /DevTools listening on (ws:\/\/\S+)/;

/** The browser-level DevTools WebSocket URL Chromium prints on stderr, or undefined if `text` has none yet. */
export function parseDevToolsUrl(text: string): string | undefined {
  const url = DEVTOOLS_LINE.exec(text)?.[1];
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'ws:' && parsed.pathname.startsWith('/devtools/browser/') ? url : undefined;
  } catch {
    return undefined;
  }
}

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

type Listener = { event: string; sessionId: string | undefined; fn(params: unknown): void };

/**
 * A tiny typed CDP client over one WebSocket, without Playwright: commands are correlated with
 * their responses by id, events are dispatched by name (and by session, for flattened sessions
 * made with `Target.attachToTarget {flatten: true}`).
 *
 * It exists so a page can be driven with no Playwright session attached: Playwright's own session
 * keeps focus emulation on, which Chromium treats like a capturer and so never hides the page
 * (TIME-2).
 */
export class RawCdpClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private listeners: Listener[] = [];
  private closedReason: string | undefined;
  private readonly log = createLogger('cdp');

  private constructor(private readonly ws: WebSocket, readonly url: string) {
    ws.on('message', (data: RawData) => this.onMessage(data));
    ws.on('close', (code, reason) => this.failAll(`the DevTools connection closed (code ${code}${reason.length ? `, ${reason.toString()}` : ''})`));
    ws.on('error', (err) => this.failAll(`the DevTools connection failed: ${err.message}`));
  }

  static async connect(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<RawCdpClient> {
    // CDP messages (evaluate results, large events) can be big; the browser itself caps at 256 MiB.
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new CdpError('ERR_CDP_CONNECT', `no WebSocket to ${url} after ${timeoutMs} ms`, { context: { url }, hint: 'Is the browser still running? Check its log.' }));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(new CdpError('ERR_CDP_CONNECT', `could not open ${url}: ${err.message}`, { context: { url }, hint: 'Is the browser still running with --remote-debugging-port? Check its log.', cause: err }));
      });
    });
    return new RawCdpClient(ws, url);
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Sends one command (to the browser, or to a flattened session) and resolves with its typed result. */
  send<M extends CdpMethod>(method: M, params: CdpCommands[M]['params'], opts: { sessionId?: string; timeoutMs?: number } = {}): Promise<CdpCommands[M]['result']> {
    if (this.closedReason !== undefined) {
      return Promise.reject(new CdpError('ERR_CDP_CLOSED', `cannot send ${method}: ${this.closedReason}`, { context: { method } }));
    }
    const id = this.nextId++;
    const request: CdpRequest = { id, method, params, ...(opts.sessionId ? { sessionId: opts.sessionId } : {}) };
    const timeoutMs = opts.timeoutMs ?? COMMAND_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CdpError('ERR_CDP_TIMEOUT', `${method} got no answer in ${timeoutMs} ms`, { context: { method, id, sessionId: opts.sessionId }, hint: 'The page or browser may be hung or crashed; see its log.' }));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject, timer });
      this.log(`→ ${id} ${method}${opts.sessionId ? ` [${opts.sessionId.slice(0, 8)}]` : ''}`);
      this.ws.send(JSON.stringify(request), (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new CdpError('ERR_CDP_CLOSED', `could not send ${method}: ${err.message}`, { context: { method }, cause: err }));
      });
    });
  }

  /** Calls `fn` for every `event` (from `sessionId` only, when given). Returns the unsubscribe function. */
  on<E extends CdpEventName>(event: E, fn: (params: CdpEvents[E]) => void, sessionId?: string): () => void {
    const listener: Listener = { event, sessionId, fn: fn as (p: unknown) => void };
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** Resolves with the first `event` that satisfies `pred`. */
  waitForEvent<E extends CdpEventName>(event: E, pred: (params: CdpEvents[E]) => boolean, timeoutMs: number, sessionId?: string): Promise<CdpEvents[E]> {
    return new Promise((resolve, reject) => {
      const off = this.on(
        event,
        (params) => {
          if (!pred(params)) return;
          clearTimeout(timer);
          off();
          resolve(params);
        },
        sessionId,
      );
      const timer = setTimeout(() => {
        off();
        reject(new CdpError('ERR_CDP_TIMEOUT', `no ${event} in ${timeoutMs} ms`, { context: { event, sessionId } }));
      }, timeoutMs);
    });
  }

  /** Closes the WebSocket; pending commands reject with ERR_CDP_CLOSED. Safe to call twice. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const done = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    // A dead peer never answers the close handshake; do not wait for it.
    const timer = setTimeout(() => this.ws.terminate(), 1_000);
    await done;
    clearTimeout(timer);
  }

  private onMessage(data: RawData): void {
    let msg: CdpIncoming;
    try {
      msg = JSON.parse(data.toString()) as CdpIncoming;
    } catch (err) {
      this.failAll(new CdpError('ERR_CDP_MALFORMED', `the browser sent a frame that is not JSON: ${data.toString().slice(0, 120)}`, { cause: err }).message);
      this.ws.terminate();
      return;
    }
    if ('id' in msg) {
      const pending = this.pending.get(msg.id);
      if (!pending) return; // answered after its timeout: already reported
      this.pending.delete(msg.id);
      clearTimeout(pending.timer);
      if ('error' in msg) {
        pending.reject(new CdpError('ERR_CDP_PROTOCOL', `${pending.method} failed: ${msg.error.message} (${msg.error.code})${msg.error.data ? `: ${msg.error.data}` : ''}`, { context: { method: pending.method, id: msg.id, sessionId: msg.sessionId, cdpCode: msg.error.code } }));
      } else {
        pending.resolve(msg.result);
      }
      return;
    }
    if (typeof msg.method !== 'string') return;
    for (const l of [...this.listeners]) {
      if (l.event === msg.method && (l.sessionId === undefined || l.sessionId === msg.sessionId)) l.fn(msg.params);
    }
  }

  private failAll(reason: string): void {
    this.closedReason ??= reason;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new CdpError('ERR_CDP_CLOSED', `${p.method} not answered: ${reason}`, { context: { method: p.method, id } }));
    }
    this.pending.clear();
  }
}

/**
 * Evaluates `expression` in a flattened session's page and returns its value (awaiting a promise).
 * A throw in the page becomes ERR_CDP_EVALUATE with the page's own message.
 */
export async function evaluateInSession<T>(client: RawCdpClient, sessionId: string, expression: string, opts: { userGesture?: boolean; timeoutMs?: number } = {}): Promise<T> {
  const { result, exceptionDetails } = await client.send(
    'Runtime.evaluate',
    { expression, awaitPromise: true, returnByValue: true, ...(opts.userGesture ? { userGesture: true } : {}) },
    { sessionId, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) },
  );
  if (exceptionDetails) {
    const detail = exceptionDetails.exception?.description ?? exceptionDetails.text;
    throw new CdpError('ERR_CDP_EVALUATE', `the page threw: ${detail}`, { context: { expression: expression.slice(0, 200) } });
  }
  return result.value as T;
}
