import { MAX_PEERS_PER_ROOM } from './protocol.js';

/**
 * How long a peer id that dropped off (disconnect or heartbeat timeout) is remembered, so its
 * reconnect is reported as a rejoin. Long enough to ride out a network change or a laptop lid;
 * memory only, so a server restart forgets, and clients must cope with rejoined=false anyway.
 */
export const DEPARTED_MEMORY_MS = 5 * 60_000;
/** Bounds the departed-peer memory, so a client cycling through fresh room ids cannot grow it without end. */
export const MAX_REMEMBERED_DEPARTURES = 10_000;

export type JoinOutcome<C> =
  | { ok: true; peers: string[]; rejoined: boolean; replaced: C | undefined }
  | { ok: false; reason: 'room-full' };

export interface RoomRegistryOptions {
  maxPeersPerRoom?: number;
  departedMemoryMs?: number;
  /** Clock in ms; injectable so the memory's expiry can be tested without waiting minutes. */
  now?: () => number;
}

/**
 * Rooms of peer id → connection. Generic over the connection so the rules (capacity, replace on
 * rejoin, departed memory) can be tested without sockets.
 */
export class RoomRegistry<C> {
  private readonly rooms = new Map<string, Map<string, C>>();
  /** `room/peerId` → expiry time. Insertion order is expiry order, because the TTL is constant. */
  private readonly departed = new Map<string, number>();
  private readonly maxPeers: number;
  private readonly memoryMs: number;
  private readonly now: () => number;

  constructor(opts: RoomRegistryOptions = {}) {
    this.maxPeers = opts.maxPeersPerRoom ?? MAX_PEERS_PER_ROOM;
    this.memoryMs = opts.departedMemoryMs ?? DEPARTED_MEMORY_MS;
    this.now = opts.now ?? Date.now;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  get peerCount(): number {
    let n = 0;
    for (const members of this.rooms.values()) n += members.size;
    return n;
  }

  /**
   * Puts `conn` in the room under `peerId`. A peer id already present is a reconnect whose old
   * socket the server has not yet seen die: the new connection takes its place and the old one
   * is handed back (`replaced`) for the caller to close.
   */
  join(room: string, peerId: string, conn: C): JoinOutcome<C> {
    this.forgetExpired();
    const key = departedKey(room, peerId);
    const members = this.rooms.get(room) ?? new Map<string, C>();
    const existing = members.get(peerId);
    if (existing === undefined && members.size >= this.maxPeers) return { ok: false, reason: 'room-full' };

    const rejoined = existing !== undefined || this.departed.has(key);
    this.departed.delete(key);
    members.set(peerId, conn);
    this.rooms.set(room, members);
    return { ok: true, peers: otherIds(members, peerId), rejoined, replaced: existing };
  }

  /**
   * Removes `peerId` only while `conn` is still the one registered for it: a replaced socket that
   * closes late must not evict its successor. Returns the connections left in the room (to
   * notify), or undefined when nothing was removed.
   */
  leave(room: string, peerId: string, conn: C, opts: { remember: boolean }): C[] | undefined {
    const members = this.rooms.get(room);
    if (members === undefined || members.get(peerId) !== conn) return undefined;
    members.delete(peerId);
    if (members.size === 0) this.rooms.delete(room);
    if (opts.remember) this.remember(departedKey(room, peerId));
    return [...members.values()];
  }

  peer(room: string, peerId: string): C | undefined {
    return this.rooms.get(room)?.get(peerId);
  }

  /** The connections in `room` other than `peerId`'s. */
  others(room: string, peerId: string): C[] {
    const members = this.rooms.get(room);
    if (members === undefined) return [];
    return [...members].filter(([id]) => id !== peerId).map(([, conn]) => conn);
  }

  private remember(key: string): void {
    this.departed.delete(key); // re-insert at the end, keeping insertion order = expiry order
    this.departed.set(key, this.now() + this.memoryMs);
    if (this.departed.size > MAX_REMEMBERED_DEPARTURES) {
      const oldest = this.departed.keys().next();
      if (!oldest.done) this.departed.delete(oldest.value);
    }
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [key, expiresAt] of this.departed) {
      if (expiresAt > now) break;
      this.departed.delete(key);
    }
  }
}

/** `/` cannot occur in an id (ID_PATTERN), so the pair is unambiguous. */
function departedKey(room: string, peerId: string): string {
  return `${room}/${peerId}`;
}

function otherIds<C>(members: Map<string, C>, peerId: string): string[] {
  return [...members.keys()].filter((id) => id !== peerId);
}
