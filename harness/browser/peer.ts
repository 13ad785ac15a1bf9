import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { HarnessError } from '../errors.js';
import { browserTree, killPids, waitTreeGone } from './browser-tree-exit.js';
import { chromiumArgs, type ResolvedBrowser } from './chromium-launch.js';
import { captureConsole } from './console-capture.js';
import type { BrowserEngine } from './engine.js';
import { findBrowserPid } from './find-browser-pid.js';
import { launchFirefoxPeer } from './firefox-launch.js';
import { rtcCaptureScript } from '../probes/rtc-capture.js';
import { pidAlive } from '../../lib/process/pid-alive.js';

const CONSOLE_LINES_KEPT = 2_000;
/** A graceful close of a healthy browser takes well under a second; past this it is SIGKILLed. */
const GRACEFUL_CLOSE_TIMEOUT_MS = 10_000;

export interface PeerLaunchOptions {
  name: string;
  /** Which browser, and so which engine (`resolveBrowser` in engine.ts). */
  browser: ResolvedBrowser;
  headless: boolean;
  /** Kept between launches so IndexedDB survives a crash or SIGKILL (BRW-1, BRW-2). */
  profileDir: string;
}

/**
 * One peer: its own browser PROCESS with its own profile directory, so one peer can be
 * SIGKILLed and relaunched on the same profile while the other keeps going.
 */
export class Peer {
  readonly name: string;
  readonly profileDir: string;
  readonly console: string[] = [];
  private ctx: BrowserContext | undefined;
  private mainPage: Page | undefined;
  private browserPid: number | undefined;
  /** Why the peer is not running (for the error a call on a stopped peer throws); undefined while it runs. */
  private stoppedBecause: string | undefined = 'it was never started';

  private constructor(private readonly opts: PeerLaunchOptions) {
    this.name = opts.name;
    this.profileDir = opts.profileDir;
  }

  static async launch(opts: PeerLaunchOptions): Promise<Peer> {
    const peer = new Peer(opts);
    await peer.start();
    return peer;
  }

  get context(): BrowserContext {
    if (!this.ctx) throw this.notRunning('its browser context');
    return this.ctx;
  }

  get page(): Page {
    if (!this.mainPage) throw this.notRunning('its page');
    return this.mainPage;
  }

  get pid(): number | undefined {
    return this.browserPid;
  }

  get engine(): BrowserEngine {
    return this.opts.browser.engine ?? 'chromium';
  }

  get running(): boolean {
    return this.ctx !== undefined;
  }

  /** Starts the browser on this peer's profile (again, after a kill or close). */
  async start(): Promise<void> {
    fs.mkdirSync(this.profileDir, { recursive: true });
    const ctx =
      this.engine === 'firefox'
        ? await launchFirefoxPeer(this.opts.browser, this.profileDir, { headless: this.opts.headless })
        : await chromium.launchPersistentContext(this.profileDir, {
            executablePath: this.opts.browser.executablePath,
            headless: this.opts.headless,
            args: chromiumArgs({ headless: this.opts.headless }),
            acceptDownloads: true,
            viewport: { width: 900, height: 800 },
          });
    // Functions reach the page as source text. Under tsx (scripts, the bench) esbuild's keepNames
    // wraps named functions in a `__name()` helper that only Node has: give pages a no-op one,
    // before any other init script, so every harness script runs the same under any loader.
    await ctx.addInitScript({ content: 'globalThis.__name ??= (fn) => fn;' });
    await captureConsole(ctx, (line) => this.keep(`[${this.name}] ${line}`));
    await ctx.addInitScript(rtcCaptureScript);
    this.ctx = ctx;
    this.stoppedBecause = undefined;
    this.browserPid = findBrowserPid(this.profileDir);
    // Only a browser that went away on its own lands here: kill() and close() forget `ctx` first.
    // A crashed tab does not close the context (the browser process lives on; newPage works).
    ctx.on('close', () => {
      if (this.ctx !== ctx) return;
      this.ctx = undefined;
      this.mainPage = undefined;
      this.stoppedBecause = `its browser (PID ${this.browserPid ?? 'unknown'}) closed its context on its own: the browser process exited or Playwright lost its connection`;
      this.keep(`[${this.name}] browser context closed unexpectedly`);
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    this.adoptPage(page);
  }

  /** Opens another tab in this peer's browser (e.g. after its renderer crashed). */
  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    this.adoptPage(page);
    return page;
  }

  /**
   * SIGKILL the browser process, by its PID: no unload handlers, no flushing. Its children (renderer,
   * GPU, network…) would exit on their own once their pipe to the browser breaks, but under load that
   * takes seconds in which they still write into the profile; they are SIGKILLed too (by PID, from a
   * tree taken before the kill) and waited for, so a relaunch or teardown finds the profile at rest.
   */
  async kill(): Promise<void> {
    const ctx = this.ctx;
    const tree = browserTree(this.browserPid, this.profileDir);
    this.stop('it was SIGKILLed by the harness (kill-browser)');
    killPids(tree); // the browser PID first: tree[0]
    // Playwright notices the dead pipe; closing lets it release its side. A rejection here only
    // says the browser is already gone, which is the point of this method.
    await ctx?.close().catch(() => undefined);
    await waitTreeGone(tree, `browser of peer ${this.name} after SIGKILL`);
  }

  /**
   * Closes the browser gracefully, and SIGKILLs whatever of it is left after GRACEFUL_CLOSE_TIMEOUT_MS
   * (a hung or crashed browser); returns once every process of it has exited, so the profile dir can
   * be removed. Safe to call on a peer that is not running (its leftovers are still waited for).
   */
  async close(): Promise<void> {
    const ctx = this.ctx;
    const tree = browserTree(this.browserPid, this.profileDir);
    if (this.running) this.stop('it was closed by the harness (Peer.close, e.g. teardown)');
    if (ctx) {
      // A rejection means the browser is already gone (killed, crashed): the SIGKILL below covers it.
      const closed = ctx.close().then(
        () => true,
        () => false,
      );
      await Promise.race([closed, new Promise((r) => setTimeout(r, GRACEFUL_CLOSE_TIMEOUT_MS))]);
    }
    killPids(tree.filter((pid) => pidAlive(pid)));
    await waitTreeGone(tree, `browser of peer ${this.name} after close`);
  }

  consoleText(): string {
    return this.console.join('\n');
  }

  private stop(because: string): void {
    this.ctx = undefined;
    this.mainPage = undefined;
    this.stoppedBecause = because;
    this.keep(`[${this.name}] stopped: ${because}`);
  }

  private notRunning(wanted: string): HarnessError {
    return new HarnessError('ERR_PROCESS_EXITED', `peer ${this.name} is not running: wanted ${wanted}, but ${this.stoppedBecause ?? 'it has no page open'}`, {
      context: { peer: this.name, engine: this.engine, browserPid: this.browserPid, profileDir: this.profileDir, stoppedBecause: this.stoppedBecause },
      hint: 'Relaunch the peer with `peer.start()` (same profile) before using it; if nothing stopped it on purpose, its browser died: see the console-<peer>.log attachment.',
    });
  }

  private adoptPage(page: Page): void {
    this.mainPage = page;
    const tag = `[${this.name}]`;
    // Console lines come through captureConsole (no `console` subscription: see console-capture.ts).
    page.on('pageerror', (e) => this.keep(`${tag} pageerror: ${e.message}`));
    page.on('crash', () => this.keep(`${tag} renderer crashed`));
  }

  private keep(line: string): void {
    this.console.push(`${new Date().toISOString()} ${line}`);
    if (this.console.length > CONSOLE_LINES_KEPT) this.console.shift();
  }
}

export function profileDirFor(workDir: string, name: string): string {
  return path.join(workDir, `profile-${name}`);
}
