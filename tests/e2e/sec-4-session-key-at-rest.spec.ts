import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from '../../harness/fixtures.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';

const FILE_BYTES = 16 * 1024 * 1024;
/** The app's database (app-under-test/storage/checkpoint-store.ts DB_NAME). */
const DB_NAME = 'webrtc-transfer';

interface Needle {
  name: string;
  /** The bytes to look for, base64. */
  bytes: string;
}

interface KeyObject {
  where: string;
  isCryptoKey: boolean;
  type: string;
  extractable: boolean;
  algorithm: string;
  exportRefused: boolean;
}

interface Dump {
  /** Records read per object store. */
  records: Record<string, number>;
  /** For each needle, where it was found (store names, or `localStorage`). */
  found: Record<string, string[]>;
  keyObjects: KeyObject[];
  /** Session-key records opened with the stored wrapping key: id → key bytes, base64url. */
  unwrapped: Record<string, string>;
}

/**
 * Reads every record of every object store of the app's IndexedDB, and every localStorage value,
 * straight from the page (not through the app), and looks for each needle in all of it: strings
 * as UTF-8, ArrayBuffers and typed arrays as they are, Blobs by their contents. CryptoKey objects
 * are reported with their `extractable` flag and whether exporting them is refused. Session-key
 * records are then opened with the stored wrapping key (the app's layout: AES-GCM, additional
 * data = the record id), to prove they really hold the key, only wrapped.
 */
async function dumpStorage(page: Page, needles: Needle[]): Promise<Dump> {
  return page.evaluate(
    async ({ dbName, needles }) => {
      const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const wanted = needles.map((n) => ({ name: n.name, bytes: decode(n.bytes) }));
      const out: Dump = { records: {}, found: Object.fromEntries(needles.map((n) => [n.name, []])), keyObjects: [], unwrapped: {} };
      const has = (hay: Uint8Array, needle: Uint8Array) => {
        outer: for (let i = 0; i + needle.length <= hay.length; i++) {
          for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
          return true;
        }
        return false;
      };
      const search = (piece: Uint8Array, where: string) => {
        for (const n of wanted) if (has(piece, n.bytes) && !out.found[n.name]!.includes(where)) out.found[n.name]!.push(where);
      };
      const walk = async (v: unknown, where: string, path: string): Promise<void> => {
        if (typeof v === 'string') return search(new TextEncoder().encode(v), where);
        if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return search(new TextEncoder().encode(String(v)), where);
        if (v === null || v === undefined) return;
        if (v instanceof ArrayBuffer) return search(new Uint8Array(v), where);
        if (ArrayBuffer.isView(v)) return search(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), where);
        if (v instanceof Blob) return search(new Uint8Array(await v.arrayBuffer()), where);
        if (v instanceof CryptoKey) {
          const exportRefused = await crypto.subtle.exportKey('raw', v).then(
            () => false,
            () => true,
          );
          out.keyObjects.push({ where: `${where}${path}`, isCryptoKey: true, type: v.type, extractable: v.extractable, algorithm: v.algorithm.name, exportRefused });
          return;
        }
        if (typeof v === 'object') {
          for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
            search(new TextEncoder().encode(k), where);
            await walk(child, where, `${path}.${k}`);
          }
        }
      };

      for (let i = 0; i < localStorage.length; i++) {
        const k = localStorage.key(i)!;
        await walk({ [k]: localStorage.getItem(k) }, 'localStorage', '');
      }
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(dbName);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const all = new Map<string, unknown[]>();
      for (const store of Array.from(db.objectStoreNames)) {
        const records = await new Promise<unknown[]>((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        all.set(store, records);
        out.records[store] = records.length;
        for (const [i, r] of records.entries()) await walk(r, store, `[${i}]`);
      }
      db.close();

      const wrapping = (all.get('wrapping-keys') ?? []) as { key: CryptoKey }[];
      for (const r of (all.get('session-keys') ?? []) as { id: string; iv: Uint8Array; wrapped: Uint8Array }[]) {
        for (const w of wrapping) {
          try {
            const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: r.iv as BufferSource, additionalData: new TextEncoder().encode(r.id) }, w.key, r.wrapped as BufferSource));
            out.unwrapped[r.id] = btoa(String.fromCharCode(...plain)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
          } catch {
            // Not this wrapping key's record.
          }
        }
      }
      return out;
    },
    { dbName: DB_NAME, needles },
  );
}

/** The session key in every form an app might have written it down. */
function keyNeedles(key: Buffer): Needle[] {
  const text = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [
    { name: 'key (raw bytes)', bytes: key.toString('base64') },
    { name: 'key (hex)', bytes: text(key.toString('hex')) },
    { name: 'key (HEX)', bytes: text(key.toString('hex').toUpperCase()) },
    { name: 'key (base64)', bytes: text(key.toString('base64')) },
    { name: 'key (base64url)', bytes: text(key.toString('base64url')) },
  ];
}

function expectNoKeyInClear(dump: Dump, who: string): void {
  for (const [name, where] of Object.entries(dump.found)) {
    if (name.startsWith('key')) expect(where, `${who}: the session key as ${name} found at rest`).toEqual([]);
  }
}

function expectWrappedAndUnwrappable(dump: Dump, who: string, id: string, keyB64Url: string): void {
  expect(dump.records['session-keys'], `${who}: session-key records`).toBeGreaterThanOrEqual(1);
  expect(dump.unwrapped[id], `${who}: the record ${id} opens to the link's key with the stored wrapping key`).toBe(keyB64Url);
  const wrappingKeys = dump.keyObjects.filter((k) => k.where.startsWith('wrapping-keys'));
  expect(wrappingKeys.length, `${who}: a wrapping CryptoKey is stored`).toBeGreaterThanOrEqual(1);
  for (const k of dump.keyObjects) {
    expect(k, `${who}: ${k.where} is a non-extractable CryptoKey whose export is refused`).toMatchObject({ isCryptoKey: true, extractable: false, exportRefused: true });
  }
}

test('SEC-4: the session key rests in IndexedDB only wrapped by a non-extractable key; a reload unwraps it and resumes', async ({ peers, app, makeFile, workDir }) => {
  const source = await makeFile(FILE_BYTES);
  const s = await startTransfer({ peers, app, source });
  const params = new URLSearchParams(new URL(s.link).hash.slice(1));
  const keyB64Url = params.get('k') ?? '';
  const key = Buffer.from(keyB64Url, 'base64url');
  expect(key.length, 'the link carries a 32-byte session key').toBe(32);
  const room = params.get('room')!;

  await waitForVerified(app, s.receiver, FILE_BYTES / 2);
  const shownHash = new URLSearchParams(new URL(s.receiver.page.url()).hash.slice(1));
  expect(shownHash.get('room'), 'the receiver keeps the room in its address bar').toBe(params.get('room'));
  expect(shownHash.has('k'), 'the receiver dropped the key from its address bar (and history)').toBe(false);

  const transferId = String(await s.receiver.page.locator('#app').getAttribute('data-transfer-id'));
  const firstBytes = fs.readFileSync(source.path).subarray(0, 32);
  // Controls: things that ARE stored, found by the same search, so "not found" means something.
  const controls: Needle[] = [
    { name: 'control: transfer id', bytes: Buffer.from(transferId).toString('base64') },
    { name: 'control: first 32 bytes of the file', bytes: firstBytes.toString('base64') },
  ];
  const needles = [...keyNeedles(key), ...controls];

  const receiverDump = await dumpStorage(s.receiver.page, needles);
  expect(receiverDump.found['control: transfer id'], 'receiver: the search finds the checkpoint’s transfer id').toContain('checkpoints');
  expect(receiverDump.found['control: first 32 bytes of the file'], 'receiver: the search reads the chunk Blobs').toContain('chunks');
  expectNoKeyInClear(receiverDump, 'receiver');
  expectWrappedAndUnwrappable(receiverDump, 'receiver', `receiver:${room}`, keyB64Url);

  const senderDump = await dumpStorage(s.sender.page, needles);
  expect(senderDump.found['control: transfer id'], 'sender: the search reads localStorage').toContain('localStorage');
  expectNoKeyInClear(senderDump, 'sender');
  expectWrappedAndUnwrappable(senderDump, 'sender', `sender:${room}`, keyB64Url);

  // The reloaded page has no key in its URL: it can only prove itself with the unwrapped one.
  await s.receiver.page.reload();
  await expect.poll(() => s.receiver.page.locator('#app').getAttribute('data-session-key-source'), { timeout: 15_000 }).toBe('vault');
  await app.waitForComplete(s.receiver.page, 120_000);
  expect((await app.progress(s.receiver.page)).resumedFromBytes, 'resumed from the checkpoint').toBeGreaterThanOrEqual(FILE_BYTES / 2);
  await expectIntact(app, s, workDir);

  const after = await dumpStorage(s.receiver.page, needles);
  expectNoKeyInClear(after, 'receiver after completion');
  expectWrappedAndUnwrappable(after, 'receiver after completion', `receiver:${room}`, keyB64Url);
  test.info().annotations.push({
    type: 'sec-4',
    description: `searched ${Object.values(receiverDump.records).reduce((a, b) => a + b, 0)} receiver and ${Object.values(senderDump.records).reduce((a, b) => a + b, 0)} sender records for the key in 5 encodings: not found; ${receiverDump.keyObjects.length + senderDump.keyObjects.length} stored CryptoKeys, all non-extractable`,
  });
});
