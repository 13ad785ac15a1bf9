/**
 * The slice of the Chrome DevTools Protocol the raw CDP client speaks, as types only: the commands
 * with their parameters and results, and the events with their payloads. Names and fields are the
 * protocol's own (https://chromedevtools.github.io/devtools-protocol/); only what the harness uses
 * is listed, so a typo in a method name or a field is a compile error.
 */

/** A JavaScript value as CDP returns it (`returnByValue: true` puts the value in `value`). */
export interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  description?: string;
}

export interface ExceptionDetails {
  text: string;
  lineNumber: number;
  columnNumber: number;
  exception?: RemoteObject;
}

export type Empty = Record<string, never>;

export interface CdpCommands {
  'Browser.getVersion': { params: Empty; result: { product: string; userAgent: string; protocolVersion: string } };
  'Browser.setDownloadBehavior': {
    params: { behavior: 'deny' | 'allow' | 'allowAndName' | 'default'; downloadPath?: string; eventsEnabled?: boolean };
    result: Empty;
  };
  'Target.createTarget': { params: { url: string; newWindow?: boolean; background?: boolean }; result: { targetId: string } };
  'Target.attachToTarget': { params: { targetId: string; flatten: true }; result: { sessionId: string } };
  'Target.activateTarget': { params: { targetId: string }; result: Empty };
  'Target.closeTarget': { params: { targetId: string }; result: { success: boolean } };
  /** Turns on Runtime events for the session (console messages, uncaught exceptions). */
  'Runtime.enable': { params: Empty; result: Empty };
  'Runtime.evaluate': {
    params: { expression: string; awaitPromise?: boolean; returnByValue?: boolean; userGesture?: boolean };
    result: { result: RemoteObject; exceptionDetails?: ExceptionDetails };
  };
}

export interface CdpEvents {
  'Browser.downloadWillBegin': { frameId: string; guid: string; url: string; suggestedFilename: string };
  'Browser.downloadProgress': { guid: string; totalBytes: number; receivedBytes: number; state: 'inProgress' | 'completed' | 'canceled' };
  'Target.detachedFromTarget': { sessionId: string; targetId?: string };
  'Inspector.targetCrashed': Empty;
  'Runtime.consoleAPICalled': { type: string; args: RemoteObject[]; timestamp: number };
  'Runtime.exceptionThrown': { timestamp: number; exceptionDetails: ExceptionDetails };
}

export type CdpMethod = keyof CdpCommands;
export type CdpEventName = keyof CdpEvents;

/** What goes on the wire: one JSON text frame per message. `sessionId` addresses a flattened session. */
export interface CdpRequest {
  id: number;
  method: string;
  params: object;
  sessionId?: string;
}

/** A message from the browser: a response (carries the request's `id`) or an event (carries `method`). */
export type CdpIncoming =
  | { id: number; result: unknown; sessionId?: string }
  | { id: number; error: { code: number; message: string; data?: string }; sessionId?: string }
  | { method: string; params: unknown; sessionId?: string };
