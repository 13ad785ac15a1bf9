import type { Page } from '@playwright/test';
import { HarnessError } from '../errors.js';

/**
 * A number the app publishes as a `data-*` attribute (e.g. `data-sent-bytes` on `#app`), read as
 * evidence. `Number(null)` is 0, so a missing attribute (the app never set it, the tab is blank,
 * the selector is wrong) would read as "sent nothing" and pass an upper bound: here it fails, as
 * does anything that is not a finite number.
 */
export async function figureAttribute(page: Page, selector: string, attribute: string): Promise<number> {
  const raw = await page.locator(selector).getAttribute(attribute);
  const value = raw === null || raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) {
    throw new HarnessError('ERR_EVIDENCE_MISSING', `${selector}[${attribute}] is ${raw === null ? 'absent' : `not a number (${JSON.stringify(raw)})`} on ${page.url()}`, {
      context: { selector, attribute, raw, url: page.url() },
      hint: 'The app publishes its counters as data-* attributes on #app once it has run a transfer; a tab that never started one, or a renamed attribute, has none to read.',
    });
  }
  return value;
}
