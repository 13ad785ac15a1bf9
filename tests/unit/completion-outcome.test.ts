import { describe, expect, it } from 'vitest';
import { completionOutcome } from '../support/bundled-app/bundled-app-adapter.js';
import type { TransferProgress } from '../../harness/app-adapter.js';

const p = (o: Partial<TransferProgress>): TransferProgress => ({ verifiedBytes: 0, totalBytes: 10, phase: 'receiving', ...o });

describe('completionOutcome (every waiter for completion)', () => {
  it('says complete, refused, or a terminal error at once, and waits otherwise', () => {
    expect(completionOutcome(p({ phase: 'complete' }))).toBe('complete');
    expect(completionOutcome(p({ phase: 'receiving' }))).toBeUndefined();
    // A resumable error (stored chunks dropped at resume) keeps the wait going.
    expect(completionOutcome(p({ errorCode: 'ERR_CHUNK_HASH_MISMATCH' }))).toBeUndefined();
    const refused = completionOutcome(p({ phase: 'refused', errorCode: 'ERR_FILE_MISMATCH' }));
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain('refused the transfer (ERR_FILE_MISMATCH)');
    const terminal = completionOutcome(p({ phase: 'assembling', errorCode: 'ERR_FILE_HASH_MISMATCH' }));
    expect((terminal as Error).message).toContain('ERR_TRANSFER_FAILED: the app stopped the transfer with ERR_FILE_HASH_MISMATCH');
  });
});
