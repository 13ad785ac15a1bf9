import type { Page } from '@playwright/test';

/** Never served by the app server: Playwright answers it, so the page is on the app's origin. */
const BENCH_PAGE_PATH = '__bench.html';

/**
 * Opens an empty page on the app server's origin. Being same-origin lets it start the app's own
 * hashing worker (/hash-worker.js), and being a real http page (not about:blank) makes sure the
 * context's init scripts, such as the RTCPeerConnection capture, run in it.
 */
export async function openBenchPage(page: Page, appUrl: string, title: string, script?: string): Promise<void> {
  const url = new URL(BENCH_PAGE_PATH, appUrl).href;
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><meta charset="utf-8"><title>${title}</title><body>${title}</body>`,
    }),
  );
  await page.goto(url);
  if (script !== undefined) await page.addScriptTag({ content: script });
}
