import fs from 'node:fs';

/** A browser's child processes may still be writing to its profile for a moment after it is closed. */
const RM_RETRIES = 10;
const RM_RETRY_DELAY_MS = 200;

const RM_OPTIONS = { recursive: true, force: true, maxRetries: RM_RETRIES, retryDelay: RM_RETRY_DELAY_MS } as const;
/** A second signal this soon after the first is the same Ctrl-C delivered twice (tsx relays it to its child too). */
const DUPLICATE_SIGNAL_WINDOW_MS = 1_000;

/** rm -rf that waits out files still being written by a process that is on its way out. */
export function removeDir(dir: string): Promise<void> {
  return fs.promises.rm(dir, RM_OPTIONS);
}

/** The same, for the 'exit' event, where only synchronous code runs. */
export function removeDirSync(dir: string): void {
  fs.rmSync(dir, RM_OPTIONS);
}

interface Step {
  label: string;
  undo: () => Promise<void> | void;
  /** Synchronous stand-in for `undo`, run from the 'exit' event if the process exits before undo ran. */
  atExit?: () => void;
}

/**
 * What the bench started, undone in reverse order exactly once: from the `finally` of a normal
 * run, or from SIGINT/SIGTERM (Ctrl-C in the middle of a 15-minute run must not leave a coturn,
 * a signaling server or two Chromiums behind).
 *
 * Playwright installs its own SIGINT handler, which closes its browsers and then exits the
 * process, possibly before our asynchronous cleanup is done; so steps may also carry a
 * synchronous `atExit` version that the 'exit' event runs for whatever is left.
 */
export class CleanupStack {
  private readonly steps: Step[] = [];
  private running: Promise<void> | undefined;
  /** Set by SIGINT/SIGTERM: whatever is still running should not report. */
  interrupted = false;

  constructor() {
    process.once('exit', () => this.runAtExit());
  }

  /** Registers `undo`; the returned function runs it now (and removes it from the stack). */
  push(label: string, undo: () => Promise<void> | void, atExit?: () => void): () => Promise<void> {
    const step: Step = { label, undo, atExit };
    this.steps.push(step);
    return async () => {
      if (!this.steps.includes(step)) return;
      try {
        await step.undo();
      } finally {
        const i = this.steps.indexOf(step);
        if (i >= 0) this.steps.splice(i, 1);
      }
    };
  }

  /** Undoes everything still registered, newest first; one failing step does not stop the rest. */
  runAll(): Promise<void> {
    this.running ??= (async () => {
      for (let step = this.steps.at(-1); step; step = this.steps.at(-1)) {
        try {
          await step.undo();
        } catch (err) {
          console.error(`bench cleanup: ${step.label} failed: ${String(err)}`);
        }
        // Removed only once done, so an exit in the middle still runs this step's atExit.
        const i = this.steps.indexOf(step);
        if (i >= 0) this.steps.splice(i, 1);
      }
    })();
    return this.running;
  }

  /** On SIGINT/SIGTERM: clean up, then exit 130/143. Another Ctrl-C later exits at once (atExit steps still run). */
  handleSignals(): void {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      let firstAt: number | undefined;
      process.on(signal, () => {
        if (firstAt !== undefined) {
          if (Date.now() - firstAt > DUPLICATE_SIGNAL_WINDOW_MS) process.exit(code);
          return;
        }
        firstAt = Date.now();
        this.interrupted = true;
        console.error(`\nbench: ${signal}, stopping everything it started…`);
        void this.runAll().finally(() => process.exit(code));
      });
    }
  }

  private runAtExit(): void {
    for (const step of [...this.steps].reverse()) {
      try {
        step.atExit?.();
      } catch (err) {
        console.error(`bench cleanup at exit: ${step.label} failed: ${String(err)}`);
      }
    }
  }
}
