import fs from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from '@playwright/test';
import { chromiumArgs, type ResolvedBrowser } from './chromium-launch.js';
import type { BrowserEngine } from './engine.js';
import { findBrowserPid } from './find-browser-pid.js';
import { launchFirefoxPeer } from './firefox-launch.js';
import { rtcCaptureScript } from '../probes/rtc-capture.js';

const CONSOLE_LINES_KEPT = 2_000;
/** Unsubscribing from console events before a kill waits at most this long for its round trip. */
const CONSOLE_DETACH_TIMEOUT_MS = 2_000;

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
  private onConsole: ((m: ConsoleMessage) => void) | undefined;

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
    if (!this.ctx) throw new Error(`peer ${this.name} is not running`);
    return this.ctx;
  }

  get page(): Page {
    if (!this.mainPage) throw new Error(`peer ${this.name} has no page`);
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
    await ctx.addInitScript(rtcCaptureScript);
    this.ctx = ctx;
    this.browserPid = findBrowserPid(this.profileDir);
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    this.adoptPage(page);
    ctx.on('close', () => {
      if (this.ctx === ctx) this.ctx = undefined;
    });
  }

  /** Opens another tab in this peer's browser (e.g. after its renderer crashed). */
  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    this.adoptPage(page);
    return page;
  }

  /** SIGKILL the browser process, by its PID: no unload handlers, no flushing. */
  async kill(): Promise<void> {
    const ctx = this.ctx;
    await this.stopConsoleEvents();
    if (this.browserPid !== undefined) {
      try {
        process.kill(this.browserPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.ctx = undefined;
    this.mainPage = undefined;
    // Playwright notices the dead pipe; closing lets it reap what is left.
    await ctx?.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    const ctx = this.ctx;
    this.ctx = undefined;
    this.mainPage = undefined;
    await ctx?.close().catch(() => undefined);
    if (this.browserPid !== undefined && pidAlive(this.browserPid)) {
      try {
        process.kill(this.browserPid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }

  consoleText(): string {
    return this.console.join('\n');
  }

  /**
   * Before a SIGKILL: stop Playwright sending this page's console events. Seen once in BRW-2 on a
   * Firefox receiver (Playwright 1.65 over BiDi): a console event of the dying browser referred to
   * an argument handle Playwright had already disposed, and its client threw "Object with guid
   * handle@… was not bound in the connection" outside any call, which failed the test while it
   * was recovering fine. Console events are a subscription: without a listener none are sent. One
   * round trip after unsubscribing makes sure the server has taken it; the console lines of the
   * browser's last moment are the price.
   */
  private async stopConsoleEvents(): Promise<void> {
    const page = this.mainPage;
    if (!page || !this.onConsole) return;
    page.off('console', this.onConsole);
    this.onConsole = undefined;
    this.keep(`[${this.name}] console capture stopped: the browser is about to be killed`);
    await Promise.race([page.title().catch(() => undefined), new Promise((r) => setTimeout(r, CONSOLE_DETACH_TIMEOUT_MS))]);
  }

  private adoptPage(page: Page): void {
    this.mainPage = page;
    const tag = `[${this.name}]`;
    this.onConsole = (m) => this.keep(`${tag} ${m.type()}: ${m.text()}`);
    page.on('console', this.onConsole);
    page.on('pageerror', (e) => this.keep(`${tag} pageerror: ${e.message}`));
    page.on('crash', () => this.keep(`${tag} renderer crashed`));
  }

  private keep(line: string): void {
    this.console.push(`${new Date().toISOString()} ${line}`);
    if (this.console.length > CONSOLE_LINES_KEPT) this.console.shift();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function profileDirFor(workDir: string, name: string): string {
  return path.join(workDir, `profile-${name}`);
}
