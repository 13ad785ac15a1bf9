import type { Page } from '@playwright/test';

/**
 * What the harness needs from a file-transfer app. The bundled app implements it in
 * tests/support/bundled-app/bundled-app-adapter.ts; to test your own app, implement these five methods against your
 * page (selectors, buttons, whatever your UI has) and pass the adapter to the fixtures.
 */
export interface TransferProgress {
  /** Bytes the receiver has verified and stored (the sender's view: acknowledged). */
  verifiedBytes: number;
  totalBytes: number;
  /** App-defined phase name, for logs and the report (e.g. sending, receiving, complete). */
  phase: string;
  /** Sender only: payload bytes sent for chunks that had been sent before. */
  resentBytes?: number;
  /** Receiver only: stored chunks that failed re-verification when a checkpoint was reloaded. */
  chunksDroppedAtResume?: number;
  /** Receiver only: chunks stored (each at most once). */
  chunksAccepted?: number;
  /** Receiver only: chunks that failed their integrity check. */
  chunksRejected?: number;
  /** Receiver only: bytes it already held when this page took the transfer over. */
  resumedFromBytes?: number;
  /** The app's error code, when it shows an error. */
  errorCode?: string;
  /** The connection state the app shows (e.g. connected, reconnecting). */
  linkState?: string;
  /** The signaling state the app shows (e.g. joined, offline, connecting). */
  signalingState?: string;
}

export interface TransferApp {
  /** Opens the app as the sender, selects `filePath`, and returns the link the receiver opens. */
  startSend(page: Page, filePath: string): Promise<string>;
  /** Opens the receiver side at `link` (also used to reopen it after a reload or crash). */
  openReceiver(page: Page, link: string): Promise<void>;
  progress(page: Page): Promise<TransferProgress>;
  /** Resolves when the receiver says the file is complete and verified; rejects on an app error. */
  waitForComplete(page: Page, timeoutMs: number): Promise<void>;
  /** Saves the received file to `destPath` the way a user would (download), for the referee's hash. */
  saveReceivedFile(page: Page, destPath: string): Promise<void>;
}
