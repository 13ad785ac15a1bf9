import fs from 'node:fs';
import type { TestInfo } from '@playwright/test';
import type { Peer } from '../browser/peer.js';

/** Attached by path, so the file also stays in test-results/ for a person to open. */
export function attachText(testInfo: TestInfo, name: string, body: string): Promise<void> {
  const file = testInfo.outputPath(name);
  fs.writeFileSync(file, body);
  return testInfo.attach(name, { path: file, contentType: 'text/plain' });
}

/**
 * What a person needs when a scenario failed, for any app: each peer's console, and for a peer
 * still running, the page's text and a screenshot of what the user would have seen.
 */
export async function attachPeerDiagnostics(testInfo: TestInfo, peers: readonly Peer[]): Promise<void> {
  for (const p of peers) {
    await attachText(testInfo, `console-${p.name}.log`, p.consoleText());
    if (!p.running) continue;
    const text = await p.page.locator('body').innerText({ timeout: 2_000 }).catch((e: unknown) => `(unreadable: ${String(e)})`);
    await attachText(testInfo, `page-${p.name}.txt`, text);
    const shot = await p.page.screenshot({ timeout: 5_000 }).catch(() => undefined);
    if (shot) await testInfo.attach(`page-${p.name}.png`, { body: shot, contentType: 'image/png' });
  }
}
