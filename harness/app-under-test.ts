import type { IceServer } from '../turn/credentials.js';
import type { TransferApp } from './app-adapter.js';

/**
 * The app a suite tests, given to the fixtures as the worker-scoped `appUnderTest` option
 * (a project's `use`, or `test.use`). The harness knows no app: it starts signaling and TURN,
 * then asks the app to serve itself against them, and drives its pages through `adapter()`.
 */
export interface AppUnderTest {
  /** Starts (or points at) the app; the harness closes it when the worker (or netns test) ends. */
  serve(ctx: AppServeContext): Promise<ServedApp>;
  /** The page-driver for one test, made with that test's option values. */
  adapter(opts: AppAdapterOptions): TransferApp;
}

export interface AppServeContext {
  /** Where the app must listen; port 0: any free port (ServedApp.port says which). */
  host: string;
  port: number;
  /** The ws signaling URL the pages must use. */
  signalingUrl: string;
  /** ICE servers for the current test (TURN route, transports, credential lifetime): call per page load, credentials are minted fresh. */
  iceServers(): IceServer[];
}

export interface ServedApp {
  /** The URL a page opens the app at. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface AppAdapterOptions {
  appUrl: string;
  chunkSizeBytes: number;
  iceTransportPolicy: 'all' | 'relay';
  /** How the app recovers a dead path; `undefined`: the app's default. */
  recovery: 'ice-restart' | 'new-peer' | undefined;
}
