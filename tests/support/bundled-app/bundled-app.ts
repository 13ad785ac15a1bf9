import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAppServer } from '../../../app-under-test/server/app-server.js';
import type { AppUnderTest } from '../../../harness/app-under-test.js';
import { BundledApp } from './bundled-app-adapter.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Where scripts/build-app.mjs puts the app bundle. */
const APP_BUNDLE_DIR = path.join(repoRoot, 'dist', 'app');

/**
 * Our reference app as the harness's `appUnderTest` (set in playwright.config.ts): its node:http
 * server hands the harness's signaling URL and ICE servers out at /api/config, and BundledApp
 * drives its page. A user's suite writes the same few lines for its own app.
 */
export const bundledApp: AppUnderTest = {
  serve: ({ host, port, signalingUrl, iceServers }) =>
    startAppServer({ host, port, staticDir: APP_BUNDLE_DIR, config: () => ({ signalingUrl, iceServers: iceServers(), iceTransportPolicy: 'all' }) }),
  adapter: (opts) => new BundledApp(opts),
};
