import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import type { AppError } from '../../app-under-test/errors.js';
import type { HashApi } from '../../app-under-test/hash/hash-api.js';
import type { ChannelPort } from '../../app-under-test/net/channel-port.js';
import type { PeerAuth } from '../../app-under-test/security/peer-auth.js';
import type { CheckpointStore } from '../../app-under-test/storage/checkpoint-store.js';
import { PROTOCOL_VERSION, type Manifest } from '../../app-under-test/transfer/protocol.js';
import { Receiver } from '../../app-under-test/transfer/receiver.js';

/**
 * DATA-4, the receiver's own guard: a page that is open on a transfer refuses a manifest with the
 * same transfer id but another file, instead of mixing the two files' chunks in one checkpoint.
 * (The sender refuses first in the e2e test; this is the check behind it.) Fakes stand in for
 * IndexedDB and the hash worker: only the receiver's decision is under test.
 */
describe('DATA-4: receiver refuses a different file under the same transfer id', () => {
  const manifest = (fileHash: string): Manifest => ({ transferId: 't1', name: 'a.bin', size: 1024, mimeType: 'application/octet-stream', chunkSize: 512, chunkCount: 2, fileHash });

  it('answers the first manifest with resume, and the changed one with refuse ERR_FILE_MISMATCH', async () => {
    const sent: string[] = [];
    const errors: AppError[] = [];
    const phases: string[] = [];
    const checkpoints: unknown[] = [];
    const port: ChannelPort = { generation: 'g', alive: true, send: (d) => void sent.push(String(d)), bufferedAmount: 0, waitForLowBuffer: async () => undefined };
    const store = { getCheckpoint: async () => undefined, putCheckpoint: async (c: unknown) => void checkpoints.push(c) } as unknown as CheckpointStore;
    const auth = { isProven: () => true } as unknown as PeerAuth;
    const receiver = new Receiver(store, {} as Remote<HashApi>, {
      manifest: () => undefined,
      progress: () => undefined,
      phase: (p: string) => void phases.push(p),
      complete: () => undefined,
      error: (e: AppError) => void errors.push(e),
    } as never, auth);
    const settle = () => new Promise((r) => setTimeout(r, 20));

    receiver.onMessage(JSON.stringify({ type: 'manifest', version: PROTOCOL_VERSION, manifest: manifest('a'.repeat(64)) }), port);
    await settle();
    expect(sent.map((s) => (JSON.parse(s) as { type: string }).type)).toEqual(['resume']);

    receiver.onMessage(JSON.stringify({ type: 'manifest', version: PROTOCOL_VERSION, manifest: manifest('b'.repeat(64)) }), port);
    await settle();
    const last = JSON.parse(sent.at(-1)!) as { type: string; code?: string };
    expect(last).toMatchObject({ type: 'refuse', code: 'ERR_FILE_MISMATCH' });
    expect(sent).toHaveLength(2);
    expect(errors.map((e) => e.code)).toEqual(['ERR_FILE_MISMATCH']);
    expect(phases).toContain('refused');
    expect(checkpoints, 'only the first file ever made a checkpoint').toHaveLength(1);
  });
});
