import type { BrowserEngine } from '../harness/browser/engine.js';
import { HarnessError } from '../harness/errors.js';

/** Which browser engine sends and which receives in one bench run (as the Playwright projects). */
export interface BenchPair {
  sender: BrowserEngine;
  receiver: BrowserEngine;
}

const ENGINES: readonly BrowserEngine[] = ['chromium', 'firefox'];

/** Every pair, in the order the table shows them; chromium→chromium first, as the baseline of the ratios. */
export const ALL_PAIRS: readonly BenchPair[] = [
  { sender: 'chromium', receiver: 'chromium' },
  { sender: 'chromium', receiver: 'firefox' },
  { sender: 'firefox', receiver: 'chromium' },
  { sender: 'firefox', receiver: 'firefox' },
];

/** The pair every other pair's throughput is divided by. */
export const BASELINE_PAIR: BenchPair = ALL_PAIRS[0]!;

/** `chromium→firefox`: the Playwright project's name for the same pair. */
export function pairLabel(p: BenchPair): string {
  return `${p.sender}→${p.receiver}`;
}

/** A file-name-safe form of the label (profile directories): `chromium-to-firefox`. */
export function pairSlug(p: BenchPair): string {
  return `${p.sender}-to-${p.receiver}`;
}

function isEngine(s: string): s is BrowserEngine {
  return (ENGINES as readonly string[]).includes(s);
}

/**
 * BENCH_PAIRS: comma-separated `sender→receiver` (`->` works too, for keyboards without an
 * arrow), e.g. `chromium→chromium,firefox->firefox`. Unset or empty: every pair. Duplicates are
 * dropped; the order given is kept, so the runs happen in it.
 */
export function parseBenchPairs(raw: string | undefined): BenchPair[] {
  if (raw === undefined || raw.trim() === '') return ALL_PAIRS.map((p) => ({ ...p }));
  const pairs: BenchPair[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const parts = item.split(/→|->/).map((s) => s.trim().toLowerCase());
    const [sender, receiver] = parts;
    if (parts.length !== 2 || sender === undefined || receiver === undefined || !isEngine(sender) || !isEngine(receiver)) {
      throw new HarnessError('ERR_CONFIG', `BENCH_PAIRS=${raw}: "${item}" is not a sender→receiver pair of known engines`, {
        context: { BENCH_PAIRS: raw, item },
        hint: `Use a comma-separated list of ${ENGINES.join('|')}→${ENGINES.join('|')}, e.g. BENCH_PAIRS=chromium→chromium,firefox->firefox; unset it for all four.`,
      });
    }
    if (!pairs.some((p) => p.sender === sender && p.receiver === receiver)) pairs.push({ sender, receiver });
  }
  if (pairs.length === 0) {
    throw new HarnessError('ERR_CONFIG', `BENCH_PAIRS=${raw} names no pair`, { hint: 'Unset BENCH_PAIRS for all four pairs.' });
  }
  return pairs;
}
