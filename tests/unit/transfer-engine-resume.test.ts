import { describe, expect, it } from 'vitest';

import type { AppError } from '../../app-under-test/errors.js';
import { ChunkMap } from '../../app-under-test/transfer/chunk-map.js';
import { parseFrame } from '../../app-under-test/transfer/frame-codec.js';
import type { ControlMessage } from '../../app-under-test/transfer/protocol.js';
import { Receiver, type ReceiverProgress } from '../../app-under-test/transfer/receiver.js';
import { Sender, type SenderProgress } from '../../app-under-test/transfer/sender.js';
import { authPair, fileBytes, hasher, manifestOf, MemoryStore, storedChunk, TestPort, Waiter } from './engine-test-kit.js';

/**
 * Resume from a chunk map: the receiver's durable map is what the sender goes by, so after a
 * reconnect only the chunks the receiver lacks cross the wire. The app's Sender, Receiver,
 * PeerAuth and BLAKE3 code; an in-process channel and an in-memory store (engine-test-kit.ts).
 */

const CHUNK_BYTES = 1024;
/** 10 chunks, the last one short. */
const FILE_BYTES = 9 * CHUNK_BYTES + 300;
const HELD = [0, 1, 4, 7];
const MISSING = [2, 3, 5, 6, 8, 9];

function chunkBytes(index: number): number {
  return Math.min(CHUNK_BYTES, FILE_BYTES - index * CHUNK_BYTES);
}

const sum = (indices: number[]): number => indices.reduce((n, i) => n + chunkBytes(i), 0);

function senderEvents(waiter: Waiter, progress: SenderProgress[], errors: AppError[], phases: string[] = []): ConstructorParameters<typeof Sender>[3] {
  return {
    progress: (p) => (progress.push(p), waiter.notify()),
    phase: (p) => (phases.push(p), waiter.notify()),
    error: (e) => errors.push(e),
    refusedPeer: () => {},
  };
}

describe('Sender: resume from the receiver’s chunk map', () => {
  it('given a have-map, sends only the missing chunks, each once, in order', async () => {
    const bytes = fileBytes(FILE_BYTES);
    const m = await manifestOf(bytes, CHUNK_BYTES);
    const waiter = new Waiter();
    const timeline: string[] = [];
    const auth = await authPair();
    const progress: SenderProgress[] = [];
    const errors: AppError[] = [];
    const sender = new Sender(new Blob([bytes]), m, hasher, senderEvents(waiter, progress, errors), auth.sender);
    const toReceiver = new TestPort('g1', waiter, timeline);
    const toSender = new TestPort('g1', waiter, timeline);
    toSender.deliver = (d) => sender.onMessage(d as string, toReceiver);

    // A scripted receiver: proves the key, says which chunks it holds, acks every frame.
    const have = new ChunkMap(m.chunkCount);
    for (const i of HELD) have.add(i);
    const framesSeen: number[] = [];
    const reply = (msg: ControlMessage) => toSender.send(JSON.stringify(msg));
    toReceiver.deliver = (d) => {
      if (typeof d !== 'string') {
        const parsed = parseFrame(d);
        if (!parsed.ok) throw new Error(`the sender sent a bad frame (${parsed.reason})`);
        framesSeen.push(parsed.frame.index);
        return reply({ type: 'ack', index: parsed.frame.index });
      }
      const msg = JSON.parse(d) as ControlMessage;
      if (msg.type === 'challenge') {
        void auth.receiver.prove(msg).then((proof) => {
          reply(proof!);
          reply(auth.receiver.challenge(toSender, msg.transferId));
        });
      }
      if (msg.type === 'manifest') reply({ type: 'resume', transferId: m.transferId, chunkMap: have.toBase64(), haveBytes: sum(HELD) });
    };

    sender.attach(toReceiver);
    await waiter.until('the whole file acked', () => progress.at(-1)?.ackedBytes === FILE_BYTES, () => ({ framesSeen, errors: errors.map((e) => e.message) }));
    sender.detach();

    expect(framesSeen, 'chunk frames on the wire').toEqual(MISSING);
    const last = progress.at(-1)!;
    expect(last.sentBytes, 'payload bytes sent: the missing chunks only').toBe(sum(MISSING));
    expect(last.resentBytes).toBe(0);
    // Before the first frame, the held chunks already counted as acknowledged.
    expect(progress.find((p) => p.sentBytes === 0 && p.ackedBytes > 0)?.ackedBytes).toBe(sum(HELD));
    expect(errors).toEqual([]);
  });
});

describe('Sender ↔ Receiver: resume from a checkpoint', () => {
  it('a receiver holding part of the file gets only the rest, and assembles it intact', async () => {
    const bytes = fileBytes(FILE_BYTES, 11);
    const m = await manifestOf(bytes, CHUNK_BYTES);
    const waiter = new Waiter();
    const timeline: string[] = [];
    const store = new MemoryStore(waiter, timeline);
    // What an earlier, interrupted run left behind: the held chunks and the checkpoint counting them.
    const have = new ChunkMap(m.chunkCount);
    for (const i of HELD) {
      const c = await storedChunk(m, bytes, i);
      store.chunks.set(`${m.transferId}/${i}`, c);
      have.add(i);
    }
    await store.putCheckpoint({ transferId: m.transferId, manifest: m, bytesTransferred: sum(HELD), totalBytes: FILE_BYTES, chunkMap: have.bits, timestamp: 0, completed: false });

    const auth = await authPair();
    const senderProgress: SenderProgress[] = [];
    const senderPhases: string[] = [];
    const errors: AppError[] = [];
    const sender = new Sender(new Blob([bytes]), m, hasher, senderEvents(waiter, senderProgress, errors, senderPhases), auth.sender);
    let file: Blob | undefined;
    const received: ReceiverProgress[] = [];
    const resumedFrom: number[] = [];
    const receiver = new Receiver(
      store,
      hasher,
      {
        manifest: (_m, resumed) => void resumedFrom.push(resumed),
        progress: (p) => void received.push(p),
        phase: () => {},
        complete: (f) => ((file = f), waiter.notify()),
        error: (e) => errors.push(e),
      },
      auth.receiver,
    );
    const toReceiver = new TestPort('g1', waiter, timeline);
    const toSender = new TestPort('g1', waiter, timeline);
    toReceiver.deliver = (d) => receiver.onMessage(typeof d === 'string' ? d : new Uint8Array(d), toSender);
    toSender.deliver = (d) => sender.onMessage(d as string, toReceiver);

    sender.attach(toReceiver);
    await waiter.until('the sender hears done', () => senderPhases.includes('done') && file !== undefined, () => ({ senderPhases, errors: errors.map((e) => e.message) }));
    sender.detach();

    const framed = toReceiver.sent.filter((d): d is ArrayBuffer => typeof d !== 'string').map((f) => {
      const parsed = parseFrame(f);
      return parsed.ok ? parsed.frame.index : -1;
    });
    expect(framed, 'chunk frames the sender put on the wire').toEqual(MISSING);
    expect(resumedFrom).toEqual([sum(HELD)]);
    expect(received.at(-1)).toMatchObject({ verifiedBytes: FILE_BYTES, chunksAccepted: MISSING.length, chunksDuplicate: 0, chunksDroppedAtResume: 0 });
    expect(Buffer.from(await file!.arrayBuffer()).equals(Buffer.from(bytes)), 'the assembled file is the source, byte for byte').toBe(true);
    expect(await hasher.hashBlob(file!)).toBe(m.fileHash);
    expect(errors).toEqual([]);
  });
});
