import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, resolveBrowser } from '../../harness/browser/engine.js';
import { Peer } from '../../harness/browser/peer.js';
import { missingNeeds } from '../../harness/faults/needs.js';

/** Firefox launches take 6-25 s on the loaded 2-core machine; a launch + relaunch fits in this. */
const FIREFOX_TEST_TIMEOUT_MS = 150_000;
const DOWNLOAD_BYTES = 300_000;

const noFirefox = browserUnavailable('firefox');
if (noFirefox) console.warn(`skipped: ${noFirefox}`);

describe('engine needs', () => {
  it('a CDP fault is refused on any pair with a Firefox peer, allowed on Chromium → Chromium', () => {
    const base = { browserName: 'chromium', turnManaged: true };
    expect(missingNeeds({ chromiumCdp: true }, { ...base, engines: ['chromium', 'chromium'] })).toBeUndefined();
    expect(missingNeeds({ chromiumCdp: true }, { ...base, engines: ['chromium', 'firefox'] })).toMatch(/Chromium \(this fault uses CDP; this pair has firefox\)/);
    expect(missingNeeds({ engines: ['chromium'] }, { ...base, engines: ['firefox', 'firefox'] })).toMatch(/chromium peers \(this fault cannot act on firefox\)/);
    expect(missingNeeds({}, { ...base, engines: ['firefox', 'chromium'] })).toBeUndefined();
  });

  it('a missing Firefox is a reason to skip, naming how to get one', () => {
    expect(browserUnavailable('firefox', { FIREFOX_PATH: '/nonexistent/firefox' })).toMatch(/ERR_BROWSER_NOT_FOUND: FIREFOX_PATH=\/nonexistent\/firefox does not exist/);
  });
});

/** What the harness needs from a Firefox peer, each checked on a real browser process. */
describe.skipIf(noFirefox !== undefined)('a Firefox peer (real Firefox, over BiDi when it is the system’s)', () => {
  let server: http.Server;
  let url = '';
  let workDir = '';
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-ff-'));
    // A page with a blob download link, like the app's "save" button.
    server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><a id="dl" download="x.bin">save</a><script>
        document.getElementById('dl').href = URL.createObjectURL(new Blob([new Uint8Array(${DOWNLOAD_BYTES}).fill(7)]));</script>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it(
    'runs init scripts, loopback ICE, blob downloads; its PID is found; IndexedDB survives SIGKILL',
    async () => {
      const peer = await Peer.launch({ name: 'ff', browser: resolveBrowser('firefox'), headless: true, profileDir: path.join(workDir, 'profile-ff') });
      try {
        expect(peer.engine).toBe('firefox');
        const pid = peer.pid;
        expect(pid, 'browser pid found from its profile dir').toBeDefined();
        expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/firefox/);
        await peer.page.goto(url);
        // The harness's init scripts ran (rtc-capture wraps RTCPeerConnection for getStats).
        expect(await peer.page.evaluate(() => typeof (window as unknown as { __harnessPCs?: unknown }).__harnessPCs)).toBe('object');
        // Two connections in one page connect over host candidates, with real addresses (no mDNS).
        const rtc = await peer.page.evaluate(async () => {
          const a = new RTCPeerConnection();
          const b = new RTCPeerConnection();
          const hosts: string[] = [];
          a.onicecandidate = (e) => {
            if (e.candidate?.candidate) {
              hosts.push(e.candidate.candidate);
              void b.addIceCandidate(e.candidate);
            }
          };
          b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
          const dc = a.createDataChannel('probe');
          await a.setLocalDescription();
          await b.setRemoteDescription(a.localDescription!);
          await b.setLocalDescription();
          await a.setRemoteDescription(b.localDescription!);
          await new Promise((resolve, reject) => {
            dc.onopen = resolve;
            setTimeout(() => reject(new Error(`data channel not open; ICE ${a.iceConnectionState}`)), 15_000);
          });
          return { hosts, maxMessageSize: a.sctp?.maxMessageSize ?? 0 };
        });
        expect(rtc.hosts.some((c) => c.includes('.local')), `mDNS host candidates: ${rtc.hosts.join(' | ')}`).toBe(false);
        // The app's largest frame (256 KiB) fits what Firefox accepts.
        expect(rtc.maxMessageSize).toBeGreaterThanOrEqual(256 * 1024);
        // Downloads from a blob link reach Playwright (ESR's BiDi needs the patch for this).
        const [download] = await Promise.all([peer.page.waitForEvent('download'), peer.page.locator('#dl').click()]);
        const saved = path.join(workDir, 'saved.bin');
        await download.saveAs(saved);
        expect(fs.statSync(saved).size).toBe(DOWNLOAD_BYTES);
        // A durable IndexedDB write, then SIGKILL by PID, then the same profile again.
        await peer.page.evaluate(
          () =>
            new Promise<void>((resolve, reject) => {
              const open = indexedDB.open('probe', 1);
              open.onupgradeneeded = () => open.result.createObjectStore('s');
              open.onsuccess = () => {
                const tx = open.result.transaction('s', 'readwrite');
                tx.objectStore('s').put('kept', 'k');
                tx.oncomplete = () => resolve();
                tx.onerror = () => reject(tx.error);
              };
              open.onerror = () => reject(open.error);
            }),
        );
        await peer.kill();
        expect(peer.running).toBe(false);
        await peer.start();
        await peer.page.goto(url);
        const kept = await peer.page.evaluate(
          () =>
            new Promise<unknown>((resolve, reject) => {
              const open = indexedDB.open('probe', 1);
              open.onsuccess = () => {
                const get = open.result.transaction('s').objectStore('s').get('k');
                get.onsuccess = () => resolve(get.result);
              };
              open.onerror = () => reject(open.error);
            }),
        );
        expect(kept).toBe('kept');
      } finally {
        await peer.close();
      }
    },
    FIREFOX_TEST_TIMEOUT_MS,
  );
});
