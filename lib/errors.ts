/** The raw CDP client's codes (harness/browser/raw-cdp-client.ts throws them as CdpError). */
export type CdpErrorCode =
  /** The WebSocket to the browser's DevTools endpoint could not be opened. */
  | 'ERR_CDP_CONNECT'
  /** The browser printed no (or an unreadable) DevTools endpoint. */
  | 'ERR_CDP_ENDPOINT'
  /** The browser answered a command with a protocol error. */
  | 'ERR_CDP_PROTOCOL'
  /** No answer (command) or no event within the time allowed. */
  | 'ERR_CDP_TIMEOUT'
  /** The connection closed while a command was pending, or before it was sent. */
  | 'ERR_CDP_CLOSED'
  /** Script evaluated in a page threw (or its promise rejected). */
  | 'ERR_CDP_EVALUATE'
  /** The browser sent something that is not a CDP message. */
  | 'ERR_CDP_MALFORMED';

/**
 * The harness's one error tree. Every error carries a fixed code, the context it happened in,
 * and a hint that tells the user what to do next.
 */
export type HarnessErrorCode =
  | 'ERR_BROWSER_NOT_FOUND'
  | 'ERR_TURN_NOT_FOUND'
  | 'ERR_TURN_START_FAILED'
  | 'ERR_TURN_UNREACHABLE'
  | 'ERR_SIGNALING_START_FAILED'
  | 'ERR_APP_SERVER_START_FAILED'
  | 'ERR_PROCESS_EXITED'
  | 'ERR_TIMEOUT'
  | 'ERR_TRANSFER_FAILED'
  | 'ERR_INTEGRITY'
  | 'ERR_EVIDENCE_MISSING'
  | 'ERR_CONFIG'
  | 'ERR_NETNS_COMMAND_FAILED'
  | 'ERR_NETNS_BUSY'
  /** A peer's NAT, classified with RFC 5780 from inside its namespace, is not the type the topology claims. */
  | 'ERR_NAT_MISMATCH'
  | 'ERR_EXPERIMENT_INVALID'
  | 'ERR_FAULT_DID_NOT_ACT'
  | 'ERR_FAULT_MISSED_TRANSFER'
  | CdpErrorCode;

export class HarnessError extends Error {
  readonly code: HarnessErrorCode;
  readonly context: Readonly<Record<string, unknown>>;
  readonly hint: string;

  constructor(code: HarnessErrorCode, message: string, opts: { context?: Record<string, unknown>; hint?: string; cause?: unknown } = {}) {
    const hint = opts.hint ?? '';
    super(`${code}: ${message}${hint ? `\n  → ${hint}` : ''}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HarnessError';
    this.code = code;
    this.context = opts.context ?? {};
    this.hint = hint;
  }
}
