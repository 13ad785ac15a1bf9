import fs from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Chromium honours only the LAST --disable-features flag. Playwright passes its own list (which
 * keeps Chromium off Google's servers and makes pages deterministic), so a harness that adds
 * its own flag must repeat Playwright's list in it. Playwright does not export that list; we read
 * it from the installed playwright-core, and a unit test checks the browser really got both.
 */
export function playwrightDisabledFeatures(): string[] {
  const require = createRequire(import.meta.url);
  let source: string;
  try {
    source = fs.readFileSync(require.resolve('playwright-core/lib/coreBundle'), 'utf8');
  } catch {
    return [];
  }
  const start = source.indexOf('disabledFeatures = [');
  if (start < 0) return [];
  const end = source.indexOf('].filter(Boolean)', start);
  const body = source.slice(start, end)
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('\n');
  return [...body.matchAll(/"([A-Za-z][A-Za-z0-9_]*)"/g)].map((m) => m[1]!);
}
