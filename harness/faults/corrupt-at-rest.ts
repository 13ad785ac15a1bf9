import type { Page } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface CorruptAtRestParams {
  /** How many stored records to damage (the first ones found). */
  records: number;
  /** The app's IndexedDB database, object store, and the Blob/ArrayBuffer field holding bytes. */
  database: string;
  store: string;
  field: string;
}

/**
 * Damages stored bytes in the page's IndexedDB, as a bad disk or a buggy writer would: one byte
 * flipped in each of the first `records` records. What was damaged stays damaged (heal is a no-op).
 */
export interface CorruptAtRestFault extends Fault<CorruptAtRestParams> {
  /** Records damaged by inject(). */
  damaged: number;
}

export function createCorruptAtRest(params: CorruptAtRestParams, { page }: { page: Page }): CorruptAtRestFault {
  const fault: CorruptAtRestFault = {
    name: 'corrupt-at-rest',
    params,
    damaged: 0,
    async inject() {
      fault.damaged = await page.evaluate(async (p) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const req = indexedDB.open(p.database);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
        const records = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
          const req = db.transaction(p.store).objectStore(p.store).getAll(undefined, p.records);
          req.onsuccess = () => resolve(req.result as Record<string, unknown>[]);
          req.onerror = () => reject(req.error);
        });
        for (const record of records) {
          const value = record[p.field];
          const bytes = new Uint8Array(value instanceof Blob ? await value.arrayBuffer() : (value as ArrayBuffer).slice(0));
          bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
          record[p.field] = value instanceof Blob ? new Blob([bytes]) : bytes.buffer;
        }
        // Opened only now: a transaction left idle across the awaits above would have auto-committed.
        const tx = db.transaction(p.store, 'readwrite');
        const store = tx.objectStore(p.store);
        for (const record of records) store.put(record);
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
        return records.length;
      }, params);
    },
    async heal() {
      // Damage at rest is not undone; the app has to notice and fetch the chunks again.
    },
  };
  return fault;
}

export const corruptAtRest = registerFault<CorruptAtRestParams, { page: Page }>({
  name: 'corrupt-at-rest',
  summary: 'flip a byte in stored records of the page’s IndexedDB (needs the app’s database/store/field names)',
  needs: {},
  create: createCorruptAtRest,
});
