import { describe, expect, it } from 'vitest';

import { RoomRegistry } from '../../signaling/rooms.js';

/** A stand-in connection: the registry only compares connections by identity. */
interface Conn {
  name: string;
}

const TOKEN = 'room-token';

function conn(name: string): Conn {
  return { name };
}

describe('RoomRegistry', () => {
  it('admits two distinct peers and refuses a third', () => {
    const rooms = new RoomRegistry<Conn>();
    expect(rooms.join('r', 'alice', TOKEN, conn('a'))).toEqual({ ok: true, peers: [], rejoined: false, replaced: undefined });
    expect(rooms.join('r', 'bob', TOKEN, conn('b'))).toEqual({ ok: true, peers: ['alice'], rejoined: false, replaced: undefined });
    expect(rooms.join('r', 'carol', TOKEN, conn('c'))).toEqual({ ok: false, reason: 'room-full' });
    expect(rooms.join('other', 'carol', TOKEN, conn('c')).ok).toBe(true);
    expect(rooms.roomCount).toBe(2);
    expect(rooms.peerCount).toBe(3);
  });

  it('replaces the connection of a peer id that joins again, even in a full room', () => {
    const rooms = new RoomRegistry<Conn>();
    const oldAlice = conn('a1');
    const newAlice = conn('a2');
    rooms.join('r', 'alice', TOKEN, oldAlice);
    rooms.join('r', 'bob', TOKEN, conn('b'));
    expect(rooms.join('r', 'alice', TOKEN, newAlice)).toEqual({ ok: true, peers: ['bob'], rejoined: true, replaced: oldAlice });
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
    rooms.join('r', 'alice', TOKEN, alice);
    rooms.join('r', 'bob', TOKEN, bob);
    expect(rooms.leave('r', 'alice', alice, { remember: true })).toEqual([bob]);
    expect(rooms.leave('r', 'bob', bob, { remember: false })).toEqual([]);
    expect(rooms.roomCount).toBe(0);
    expect(rooms.heldRoomCount).toBe(1); // kept, with its token, while alice is remembered

    nowMs += 59_000;
    expect(rooms.join('r', 'alice', TOKEN, conn('a2'))).toMatchObject({ ok: true, rejoined: true });
    expect(rooms.join('r', 'bob', TOKEN, conn('b2'))).toMatchObject({ ok: true, rejoined: false });

    const rooms2 = new RoomRegistry<Conn>({ departedMemoryMs: 60_000, now: () => nowMs });
    const carol = conn('c');
    rooms2.join('r', 'carol', TOKEN, carol);
    rooms2.leave('r', 'carol', carol, { remember: true });
    nowMs += 60_001;
    expect(rooms2.join('r', 'carol', TOKEN, conn('c2'))).toMatchObject({ ok: true, rejoined: false });
  });

  it('counts a remembered peer only once it is back', () => {
    const rooms = new RoomRegistry<Conn>();
    const alice = conn('a');
    rooms.join('r', 'alice', TOKEN, alice);
    rooms.join('r', 'bob', TOKEN, conn('b'));
    rooms.leave('r', 'alice', alice, { remember: true });
    // Alice's slot is free while she is away; whoever takes it first gets it.
    expect(rooms.join('r', 'carol', TOKEN, conn('c')).ok).toBe(true);
    expect(rooms.join('r', 'alice', TOKEN, conn('a2'))).toEqual({ ok: false, reason: 'room-full' });
  });

  it('holds every later join of a room to the token its first join brought', () => {
    const rooms = new RoomRegistry<Conn>();
    const alice = conn('a');
    expect(rooms.join('r', 'alice', 'secret-1', alice).ok).toBe(true);
    expect(rooms.join('r', 'bob', 'secret-2', conn('b'))).toEqual({ ok: false, reason: 'unauthorized' });
    // A stranger who knows alice's peer id cannot take her place without the token.
    expect(rooms.join('r', 'alice', 'secret-2', conn('mallory'))).toEqual({ ok: false, reason: 'unauthorized' });
    expect(rooms.peer('r', 'alice')).toBe(alice);
    // The token is checked before capacity, so a wrong guess learns nothing about who is in.
    rooms.join('r', 'bob', 'secret-1', conn('b'));
    expect(rooms.join('r', 'carol', 'wrong', conn('c'))).toEqual({ ok: false, reason: 'unauthorized' });
    expect(rooms.join('r', 'carol', 'secret-1', conn('c'))).toEqual({ ok: false, reason: 'room-full' });
  });

  it('keeps the token while a departed peer is remembered, and forgets it with the room', () => {
    let nowMs = 0;
    const rooms = new RoomRegistry<Conn>({ departedMemoryMs: 1_000, now: () => nowMs });
    const alice = conn('a');
    rooms.join('r', 'alice', 'secret-1', alice);
    rooms.leave('r', 'alice', alice, { remember: true });
    expect(rooms.peerCount).toBe(0);
    // Empty but remembering alice: nobody can claim the room with another token meanwhile.
    expect(rooms.join('r', 'mallory', 'other', conn('m'))).toEqual({ ok: false, reason: 'unauthorized' });
    expect(rooms.join('r', 'alice', 'secret-1', conn('a2'))).toMatchObject({ ok: true, rejoined: true });

    // Everyone left on purpose: the room and its token are gone at once.
    const bob = conn('b');
    rooms.join('s', 'bob', 'secret-s', bob);
    rooms.leave('s', 'bob', bob, { remember: false });
    expect(rooms.join('s', 'carol', 'new-token', conn('c'))).toMatchObject({ ok: true, rejoined: false });

    // A remembered departure that expires frees its room too.
    const dave = conn('d');
    rooms.join('t', 'dave', 'secret-t', dave);
    rooms.leave('t', 'dave', dave, { remember: true });
    nowMs += 1_001;
    expect(rooms.join('t', 'erin', 'new-token', conn('e'))).toMatchObject({ ok: true, rejoined: false });
  });

  it('bounds rooms and peers over the whole server', () => {
    const rooms = new RoomRegistry<Conn>({ maxRooms: 2, maxPeers: 3 });
    const a = conn('a');
    rooms.join('r1', 'a', TOKEN, a);
    rooms.join('r2', 'b', TOKEN, conn('b'));
    expect(rooms.join('r3', 'c', TOKEN, conn('c'))).toEqual({ ok: false, reason: 'too-many-rooms' });
    rooms.join('r1', 'c', TOKEN, conn('c'));
    expect(rooms.join('r2', 'd', TOKEN, conn('d'))).toEqual({ ok: false, reason: 'too-many-peers' });
    // Replacing a peer's socket adds no peer, so it is allowed at the limit.
    expect(rooms.join('r1', 'a', TOKEN, conn('a2'))).toMatchObject({ ok: true, rejoined: true, replaced: a });
    expect(rooms.peerCount).toBe(3);
    expect(rooms.heldRoomCount).toBe(2);
  });
});
