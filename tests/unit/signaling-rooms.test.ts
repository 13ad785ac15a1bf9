import { describe, expect, it } from 'vitest';

import { RoomRegistry } from '../../signaling/rooms.js';

/** A stand-in connection: the registry only compares connections by identity. */
interface Conn {
  name: string;
}

function conn(name: string): Conn {
  return { name };
}

describe('RoomRegistry', () => {
  it('admits two distinct peers and refuses a third', () => {
    const rooms = new RoomRegistry<Conn>();
    expect(rooms.join('r', 'alice', conn('a'))).toEqual({ ok: true, peers: [], rejoined: false, replaced: undefined });
    expect(rooms.join('r', 'bob', conn('b'))).toEqual({ ok: true, peers: ['alice'], rejoined: false, replaced: undefined });
    expect(rooms.join('r', 'carol', conn('c'))).toEqual({ ok: false, reason: 'room-full' });
    expect(rooms.join('other', 'carol', conn('c')).ok).toBe(true);
    expect(rooms.roomCount).toBe(2);
    expect(rooms.peerCount).toBe(3);
  });

  it('replaces the connection of a peer id that joins again, even in a full room', () => {
    const rooms = new RoomRegistry<Conn>();
    const oldAlice = conn('a1');
    const newAlice = conn('a2');
    rooms.join('r', 'alice', oldAlice);
    rooms.join('r', 'bob', conn('b'));
    expect(rooms.join('r', 'alice', newAlice)).toEqual({ ok: true, peers: ['bob'], rejoined: true, replaced: oldAlice });
    expect(rooms.peer('r', 'alice')).toBe(newAlice);
    // The old socket closing late must not evict the new one.
    expect(rooms.leave('r', 'alice', oldAlice, { remember: true })).toBeUndefined();
    expect(rooms.peer('r', 'alice')).toBe(newAlice);
    expect(rooms.others('r', 'bob')).toEqual([newAlice]);
  });

  it('remembers a peer that disconnected, for a while, and forgets one that left on purpose', () => {
    let nowMs = 1_000;
    const rooms = new RoomRegistry<Conn>({ departedMemoryMs: 60_000, now: () => nowMs });
    const alice = conn('a');
    const bob = conn('b');
    rooms.join('r', 'alice', alice);
    rooms.join('r', 'bob', bob);
    expect(rooms.leave('r', 'alice', alice, { remember: true })).toEqual([bob]);
    expect(rooms.leave('r', 'bob', bob, { remember: false })).toEqual([]);
    expect(rooms.roomCount).toBe(0); // empty rooms are deleted

    nowMs += 59_000;
    expect(rooms.join('r', 'alice', conn('a2'))).toMatchObject({ ok: true, rejoined: true });
    expect(rooms.join('r', 'bob', conn('b2'))).toMatchObject({ ok: true, rejoined: false });

    const rooms2 = new RoomRegistry<Conn>({ departedMemoryMs: 60_000, now: () => nowMs });
    const carol = conn('c');
    rooms2.join('r', 'carol', carol);
    rooms2.leave('r', 'carol', carol, { remember: true });
    nowMs += 60_001;
    expect(rooms2.join('r', 'carol', conn('c2'))).toMatchObject({ ok: true, rejoined: false });
  });

  it('counts a remembered peer only once it is back', () => {
    const rooms = new RoomRegistry<Conn>();
    const alice = conn('a');
    rooms.join('r', 'alice', alice);
    rooms.join('r', 'bob', conn('b'));
    rooms.leave('r', 'alice', alice, { remember: true });
    // Alice's slot is free while she is away; whoever takes it first gets it.
    expect(rooms.join('r', 'carol', conn('c')).ok).toBe(true);
    expect(rooms.join('r', 'alice', conn('a2'))).toEqual({ ok: false, reason: 'room-full' });
  });
});
