/**
 * `npm run bench`: how fast the app moves a file over a direct and a relayed WebRTC path, next to
 * a raw DataChannel between the same two browser processes, what BLAKE3 costs, and how much
 * memory each browser needs for it. A plain script, not a Playwright test: it starts (and always
 * stops) coturn, signaling, the app server and the browsers itself. See bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAppServer, type AppServer } from '../app-under-test/server/app-server.js';
import { BundledApp } from '../tests/support/bundled-app/bundled-app-adapter.js';
import type { ResolvedBrowser } from '../harness/browser/chromium-launch.js';
import { browserUnavailable, resolveBrowser, type BrowserEngine } from '../harness/browser/engine.js';
import { Peer, profileDirFor } from '../harness/browser/peer.js';
import { reapRecorded, registryDir } from '../harness/process/pid-registry.js';
import { launchSignaling } from '../harness/servers/signaling-process.js';
import { makeRandomFile, type TestFile } from '../harness/verdict/random-file.js';
import { externalTurnFromEnv } from '../turn/external.js';
import { launchTurnServer } from '../turn/launcher.js';
import type { TurnEndpoint } from '../turn/types.js';
import { runAppTransfer } from './app-transfer.js';
import { comparePairs, formatTable, pathFigures, writeReport, type BenchReport, type PathRun } from './bench-report.js';
import { BASELINE_PAIR, pairLabel, pairSlug, type BenchPair } from './bench-pairs.js';
import { MIB, readBenchParams, type BenchParams } from './bench-params.js';
import { bounded } from './bounded.js';
import { BROWSER_SCRIPTS, bundleBrowserScript } from './browser-bundle.js';
import { CleanupStack, removeDir, removeDirSync } from './cleanup-stack.js';
import { runHashBench, type HashBenchResult } from './hash-bench.js';
import { machineInfo } from './machine-info.js';
import { assertPath, describePairs, type BenchPath } from './path-check.js';
import { runRawBlast } from './raw-blast.js';
import { mibPerSecond } from './stats.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPORT_PATH = path.join(REPO_ROOT, 'reports', 'bench.json');
const PATHS: readonly BenchPath[] = ['direct', 'relay'];
/** Credentials handed to the pages outlive the whole bench. */
const TURN_CREDENTIAL_TTL_S = 3_600;
const PEER_LAUNCH_TIMEOUT_MS = 60_000;
/** Per run, beyond its two transfers: browser launches, the sender's hashing, the download and its check. */
const RUN_OVERHEAD_ALLOWANCE_MS = 10 * 60_000;
/** Hashing slower than this (MiB/s) means the hash phase is stuck, not slow. */
const SLOWEST_PLAUSIBLE_HASH_MIB_PER_S = 5;

interface Stack {
  turn: TurnEndpoint;
  appServer: AppServer;
  /** The resolved binary of each engine that is here (a pair needing a missing one is skipped). */
  browsers: Partial<Record<BrowserEngine, ResolvedBrowser>>;
  workDir: string;
  params: BenchParams;
  cleanup: CleanupStack;
}

/** Launches the named peers, each on its engine, on fresh profiles; closing them also deletes the profiles (IndexedDB holds a whole file). */
async function withPeers<T>(s: Stack, named: { name: string; engine: BrowserEngine }[], use: (peers: Peer[]) => Promise<T>): Promise<T> {
  const undo: (() => Promise<void>)[] = [];
  try {
    const peers: Peer[] = [];
    for (const { name, engine } of named) {
      const browser = s.browsers[engine];
      if (!browser) throw new Error(`bench: no ${engine} resolved for peer ${name} (its pair should have been skipped)`);
      const profileDir = profileDirFor(s.workDir, name);
      undo.push(s.cleanup.push(`profile ${name}`, () => removeDir(profileDir)));
      const peer = await bounded(`launching browser ${name}`, PEER_LAUNCH_TIMEOUT_MS, () => Peer.launch({ name, browser, headless: s.params.headless, profileDir }));
      undo.push(s.cleanup.push(`browser ${name}`, () => peer.close(), () => killPid(peer.pid)));
      peers.push(peer);
    }
    return await use(peers);
  } finally {
    for (const u of undo.reverse()) await u();
  }
}

/** Last resort at exit (Playwright normally closes its browsers itself first). */
function killPid(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function errorLine(where: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `${where}: ${message}`;
}

/** One run of one pair and path: the app transfer, then a raw blast in the same two browser processes. */
async function benchRun(s: Stack, source: TestFile, pair: BenchPair, p: BenchPath, run: number): Promise<PathRun> {
  const label = pairLabel(pair);
  const where = `${label} ${p} run ${run}`;
  const result: PathRun = { pair: label, path: p, run, loadAvg1m: Math.round(os.loadavg()[0]! * 100) / 100 };
  const { params } = s;
  const app = new BundledApp({ appUrl: s.appServer.url, chunkSizeBytes: params.chunkBytes, iceTransportPolicy: p === 'relay' ? 'relay' : 'all' });
  // Each step inside has its own deadline; this one also covers the few that do not (page reads).
  const runTimeoutMs = 2 * params.transferTimeoutMs + RUN_OVERHEAD_ALLOWANCE_MS;
  const names = [
    { name: `${pairSlug(pair)}-${p}-${run}-sender`, engine: pair.sender },
    { name: `${pairSlug(pair)}-${p}-${run}-receiver`, engine: pair.receiver },
  ];
  await bounded(where, runTimeoutMs, () => withPeers(s, names, async ([sender, receiver]) => {
    const a = await runAppTransfer({
      sender: sender!,
      receiver: receiver!,
      app,
      source,
      path: p,
      verifyHash: run === 1,
      scratchDir: s.workDir,
      timeoutMs: params.transferTimeoutMs,
      rssIntervalMs: params.rssSampleIntervalMs,
    });
    result.app = { ...a, mibPerSecond: mibPerSecond(source.sizeBytes, a.transferMs) };
    log(`${where}: app ${result.app.mibPerSecond.toFixed(2)} MiB/s over ${describePairs(a.receiverPairs)}${a.hashVerified ? ', BLAKE3 ok' : ''}; receiver peak ${a.rss.receiver?.peakMiB.toFixed(0) ?? '?'} MiB`);

    // The app's pages go (their connections and the received Blob with them); the processes stay.
    for (const peer of [sender!, receiver!]) await peer.page.goto('about:blank');
    const r = await runRawBlast({
      sender: sender!,
      receiver: receiver!,
      appUrl: s.appServer.url,
      iceServers: s.turn.iceServers('bench', TURN_CREDENTIAL_TTL_S),
      iceTransportPolicy: p === 'relay' ? 'relay' : 'all',
      payloadBytes: source.sizeBytes,
      chunkBytes: params.chunkBytes,
      frameBytes: params.frameBytes,
      highBytes: params.bufferedHighBytes,
      lowBytes: params.bufferedLowBytes,
      timeoutMs: params.transferTimeoutMs,
    });
    assertPath(p, `the raw sender (${p})`, r.senderPairs);
    assertPath(p, `the raw receiver (${p})`, r.receiverPairs);
    // Payload bytes per second, as for the app: the 44-byte frame headers are not file data.
    result.raw = { ...r, mibPerSecond: mibPerSecond(source.sizeBytes, r.transferMs) };
    result.appToRaw = result.app.mibPerSecond / result.raw.mibPerSecond;
    log(`${where}: raw ${result.raw.mibPerSecond.toFixed(2)} MiB/s over ${describePairs(r.receiverPairs)} (app/raw ${result.appToRaw.toFixed(2)})`);
  })).catch((err: unknown) => {
    result.error = errorLine(where, err);
    log(`FAILED ${result.error}`);
  });
  return result;
}

async function hashPhase(s: Stack): Promise<HashBenchResult> {
  const { hashMiB, runs, chunkBytes } = s.params;
  const timeoutMs = 60_000 + Math.ceil(((hashMiB * runs * 3) / SLOWEST_PLAUSIBLE_HASH_MIB_PER_S) * 1000);
  // One idle browser: Chromium when it is here (the README's figures are Chromium's), else Firefox.
  const engine: BrowserEngine = s.browsers.chromium ? 'chromium' : 'firefox';
  return withPeers(s, [{ name: 'hash', engine }], ([peer]) => bounded('the BLAKE3 bench', timeoutMs, () => runHashBench(peer!.page, s.appServer.url, hashMiB, runs, chunkBytes)));
}

function log(message: string): void {
  console.log(`${new Date().toISOString().slice(11, 19)} bench: ${message}`);
}

function commandLine(): string {
  const knobs = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return [...knobs, 'tsx', path.relative(REPO_ROOT, fileURLToPath(import.meta.url))].join(' ');
}

async function main(): Promise<number> {
  const params = readBenchParams();
  const startedAt = Date.now();
  const cleanup = new CleanupStack();
  cleanup.handleSignals();
  // A pair whose browser is missing is skipped with the reason, never measured as zero.
  const skippedPairs: { pair: string; reason: string }[] = [];
  const pairs = params.pairs.filter((pair) => {
    const reasons = [...new Set([pair.sender, pair.receiver])].map((e) => browserUnavailable(e)).filter((r) => r !== undefined);
    if (reasons.length === 0) return true;
    skippedPairs.push({ pair: pairLabel(pair), reason: reasons.join('; ') });
    log(`SKIP ${pairLabel(pair)}: ${reasons.join('; ')}`);
    return false;
  });
  const browsers: Stack['browsers'] = {};
  for (const e of new Set(pairs.flatMap((pair) => [pair.sender, pair.receiver]))) browsers[e] = resolveBrowser(e);
  if (!browsers.chromium && browserUnavailable('chromium') === undefined) browsers.chromium = resolveBrowser('chromium');
  const machine = machineInfo(browsers.chromium ?? resolveBrowser('chromium'), browsers.firefox);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webrtc-bench-'));
  cleanup.push('work dir', () => removeDir(workDir), () => removeDirSync(workDir));
  // coturn and signaling are recorded in the harness's PID registry. Unless a caller set one up
  // for us, it is ours: sweeping it is the backstop when the process exits before they are stopped.
  if (!process.env.HARNESS_PID_DIR) {
    const sweep = (): void => {
      for (const label of reapRecorded(registryDir())) console.warn(`bench: ended leftover ${label}`);
      removeDirSync(registryDir());
    };
    cleanup.push('pid registry', sweep, sweep);
  }

  const runs: PathRun[] = [];
  const errors: string[] = [];
  // Skipped pairs are not failures, but a bench that could measure no transfer at all is.
  if (pairs.length === 0 && PATHS.some((p) => params.phases.includes(p))) errors.push(`no pair of BENCH_PAIRS can run here: ${skippedPairs.map((x) => `${x.pair} (${x.reason})`).join('; ')}`);
  let hash: HashBenchResult | undefined;
  let turnRuntime = 'external';
  try {
    log(`${params.fileMiB} MiB × ${params.runs} run(s) per pair and path; pairs ${pairs.map(pairLabel).join(', ') || 'none'}; work dir ${workDir}`);
    await Promise.all(BROWSER_SCRIPTS.map(bundleBrowserScript));
    const turn = externalTurnFromEnv() ?? (await launchTurnServer({ workDir: path.join(workDir, 'turn') }));
    cleanup.push('coturn', () => turn.dispose());
    if ('runtime' in turn) turnRuntime = String(turn.runtime);
    const signaling = await launchSignaling({ logPath: path.join(workDir, 'signaling.log') });
    cleanup.push('signaling', () => signaling.stop());
    const appServer = await startAppServer({
      host: '127.0.0.1',
      port: 0,
      staticDir: path.join(REPO_ROOT, 'dist', 'app'),
      config: () => ({ signalingUrl: signaling.url, iceServers: turn.iceServers('peer', TURN_CREDENTIAL_TTL_S), iceTransportPolicy: 'all' }),
    });
    cleanup.push('app server', () => appServer.close());
    const stack: Stack = { turn, appServer, browsers, workDir, params, cleanup };

    const source = await makeRandomFile(workDir, params.fileMiB * MIB);
    log(`source file ready (BLAKE3 ${source.blake3.slice(0, 16)}…); servers up: coturn ${turn.host}:${turn.port}, ${signaling.url}, ${appServer.url}`);

    if (params.phases.includes('hash')) {
      try {
        hash = await hashPhase(stack);
        log(`BLAKE3: worker ${hash.workerMiBps.median.toFixed(0)} MiB/s, main thread ${hash.mainThreadMiBps.median.toFixed(0)} MiB/s`);
      } catch (err) {
        errors.push(errorLine('BLAKE3 bench', err));
        log(`FAILED ${errors.at(-1)}`);
      }
    }
    // Pairs and paths alternate run by run, so a drift in machine load spreads over all of them.
    for (let run = 1; run <= params.runs; run++) {
      for (const pair of pairs) {
        for (const p of PATHS.filter((x) => params.phases.includes(x))) {
          const r = await benchRun(stack, source, pair, p, run);
          runs.push(r);
          if (r.error) errors.push(r.error);
        }
      }
    }
  } finally {
    await cleanup.runAll();
  }
  if (cleanup.interrupted) return 130; // the signal handler exits; a half-done bench writes no report

  const paths = pairs.flatMap((pair) => PATHS.filter((p) => params.phases.includes(p)).map((p) => pathFigures(pairLabel(pair), p, runs, describePairs)));
  const report: BenchReport = {
    date: new Date(startedAt).toISOString(),
    command: commandLine(),
    params,
    machine,
    turnRuntime,
    durationS: Math.round((Date.now() - startedAt) / 1000),
    loadAvgAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    hash,
    paths,
    pairs: comparePairs(pairs.map(pairLabel), pairLabel(BASELINE_PAIR), paths),
    skippedPairs,
    runs,
    errors,
  };
  writeReport(report, REPORT_PATH);
  console.log(formatTable(report));
  console.log(`wrote ${path.relative(process.cwd(), REPORT_PATH)}`);
  return errors.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
