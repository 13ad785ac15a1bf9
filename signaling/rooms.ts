import { MAX_PEERS_PER_ROOM } from './protocol.js';
import { digestSecret, secretMatches, type SecretDigest } from './secret.js';

/**
 * How long a peer id that dropped off (disconnect or heartbeat timeout) is remembered, so its
 * reconnect is reported as a rejoin. Long enough to ride out a network change or a laptop lid;
 * memory only, so a server restart forgets, and clients must cope with rejoined=false anyway.
 */
export const DEPARTED_MEMORY_MS = 5 * 60_000;
/** Bounds the departed-peer memory, so a client cycling through fresh room ids cannot grow it without end. */
export const MAX_REMEMBERED_DEPARTURES = 10_000;

export type JoinRefusal = 'unauthorized' | 'room-full' | 'too-many-rooms' | 'too-many-peers';

export type KickRefusal = 'unknown-peer' | 'not-senior';

export type KickOutcome<C> = { ok: true; kicked: C } | { ok: false; reason: KickRefusal };

export type JoinOutcome<C> = { ok: true; peers: string[]; rejoined: boolean; replaced: C | undefined } | { ok: false; reason: JoinRefusal };

export interface RoomRegistryOptions {
  maxPeersPerRoom?: number;
  departedMemoryMs?: number;
  /** Rooms held at once, empty ones kept for a departed peer included. */
  maxRooms?: number;
  /** Peers joined at once, over all rooms. */
  maxPeers?: number;
  /** Clock in ms; injectable so the memory's expiry can be tested without waiting minutes. */
  now?: () => number;
}

interface Room<C> {
  /** Set by the join that created the room; only a digest is kept, never the token. */
  readonly tokenDigest: SecretDigest;
  readonly members: Map<string, C>;
  /** Peer ids that dropped off and are still remembered. The room lives while it has any. */
  readonly away: Set<string>;
  /**
   * When each peer id entered the room (a join sequence number), kept while it is a member or
   * remembered: a peer that blips off keeps its rank. Who may kick whom (SEC-1) follows it.
   */
  readonly rank: Map<string, number>;
}

interface Departure {
  readonly room: string;
  readonly peerId: string;
  readonly expiresAt: number;
}

/**
 * Rooms of peer id → connection, each guarded by the token its first join brought. Generic over
 * the connection so the rules (tokens, capacity, replace on rejoin, departed memory) can be tested
 * without sockets.
 *
 * A room is deleted, and its token forgotten, once it has no peers and remembers no departed one.
 * So a peer that blips off keeps its room's token in force for the length of the memory (nobody
 * can take the room over meanwhile), while a room everyone left on purpose is free again at once.
 */
export class RoomRegistry<C> {
  private readonly rooms = new Map<string, Room<C>>();
  /** `room/peerId` → departure. Insertion order is expiry order, because the TTL is constant. */
  private readonly departed = new Map<string, Departure>();
  private readonly maxPeersPerRoom: number;
  private readonly memoryMs: number;
  private readonly maxRooms: number;
  private readonly maxPeers: number;
  private readonly now: () => number;
  private peers = 0;
  /** Join sequence, for `Room.rank`: a counter, so two joins in the same ms still have an order. */
  private joins = 0;

  constructor(opts: RoomRegistryOptions = {}) {
    this.maxPeersPerRoom = opts.maxPeersPerRoom ?? MAX_PEERS_PER_ROOM;
    this.memoryMs = opts.departedMemoryMs ?? DEPARTED_MEMORY_MS;
    this.maxRooms = opts.maxRooms ?? Number.POSITIVE_INFINITY;
    this.maxPeers = opts.maxPeers ?? Number.POSITIVE_INFINITY;
    this.now = opts.now ?? Date.now;
  }

  /** Rooms with at least one peer in them. */
  get roomCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) if (room.members.size > 0) n++;
    return n;
  }

  /** Every room held, those kept only for a departed peer included (what `maxRooms` bounds). */
  get heldRoomCount(): number {
    return this.rooms.size;
  }

  get peerCount(): number {
    return this.peers;
  }

  /**
   * Puts `conn` in the room under `peerId`, if `token` is the room's (or creates the room with
   * it). A peer id already present is a reconnect whose old socket the server has not yet seen
   * die: the new connection takes its place and the old one is handed back (`replaced`) for the
   * caller to close. The token is checked first, so a refusal tells a stranger nothing more.
   */
  join(room: string, peerId: string, token: string, conn: C): JoinOutcome<C> {
    this.forgetExpired();
    let state = this.rooms.get(room);
    if (state !== undefined && !secretMatches(state.tokenDigest, token)) return { ok: false, reason: 'unauthorized' };
    const existing = state?.members.get(peerId);
    if (existing === undefined) {
      if (state !== undefined && state.members.size >= this.maxPeersPerRoom) return { ok: false, reason: 'room-full' };
      if (this.peers >= this.maxPeers) return { ok: false, reason: 'too-many-peers' };
      if (state === undefined && this.rooms.size >= this.maxRooms) return { ok: false, reason: 'too-many-rooms' };
    }
    if (state === undefined) {
      state = { tokenDigest: digestSecret(token), members: new Map(), away: new Set(), rank: new Map() };
      this.rooms.set(room, state);
    }

    const rejoined = existing !== undefined || state.away.has(peerId);
    if (state.away.delete(peerId)) this.departed.delete(departedKey(room, peerId));
    state.members.set(peerId, conn);
    if (!state.rank.has(peerId)) state.rank.set(peerId, ++this.joins);
    if (existing === undefined) this.peers++;
    return { ok: true, peers: otherIds(state.members, peerId), rejoined, replaced: existing };
  }

  /**
   * Removes `peerId` only while `conn` is still the one registered for it: a replaced socket that
   * closes late must not evict its successor. Returns the connections left in the room (to
   * notify), or undefined when nothing was removed.
   */
  leave(room: string, peerId: string, conn: C, opts: { remember: boolean }): C[] | undefined {
    const state = this.rooms.get(room);
    if (state === undefined || state.members.get(peerId) !== conn) return undefined;
    state.members.delete(peerId);
    this.peers--;
    if (opts.remember) this.remember(room, peerId, state);
    else state.rank.delete(peerId);
    this.deleteIfUnused(room, state);
    return [...state.members.values()];
  }

  /**
   * `by` takes `peerId`'s slot (SEC-1): allowed only when `peerId` entered the room after `by`
   * (the caller checked that `by` is a member). The kicked id is not remembered, so the slot is
   * free at once and its return is no rejoin. Returns the kicked connection, for the caller to close.
   */
  kick(room: string, by: string, peerId: string): KickOutcome<C> {
    const state = this.rooms.get(room);
    const target = state?.members.get(peerId);
    if (state === undefined || target === undefined) return { ok: false, reason: 'unknown-peer' };
    const byRank = state.rank.get(by);
    const targetRank = state.rank.get(peerId);
    if (byRank === undefined || targetRank === undefined || byRank > targetRank) return { ok: false, reason: 'not-senior' };
    state.members.delete(peerId);
    state.rank.delete(peerId);
    this.peers--;
    this.deleteIfUnused(room, state);
    return { ok: true, kicked: target };
  }

  peer(room: string, peerId: string): C | undefined {
    return this.rooms.get(room)?.members.get(peerId);
  }

  /** The connections in `room` other than `peerId`'s. */
  others(room: string, peerId: string): C[] {
    const members = this.rooms.get(room)?.members;
    if (members === undefined) return [];
    return [...members].filter(([id]) => id !== peerId).map(([, conn]) => conn);
  }

  private remember(room: string, peerId: string, state: Room<C>): void {
    const key = departedKey(room, peerId);
    this.departed.delete(key); // re-insert at the end, keeping insertion order = expiry order
    this.departed.set(key, { room, peerId, expiresAt: this.now() + this.memoryMs });
    state.away.add(peerId);
    if (this.departed.size > MAX_REMEMBERED_DEPARTURES) {
      const oldest = this.departed.values().next();
      if (!oldest.done) this.forget(oldest.value);
    }
  }

  private forget(departure: Departure): void {
    this.departed.delete(departedKey(departure.room, departure.peerId));
    const state = this.rooms.get(departure.room);
    if (state === undefined) return;
    state.away.delete(departure.peerId);
    if (!state.members.has(departure.peerId)) state.rank.delete(departure.peerId);
    this.deleteIfUnused(departure.room, state);
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const departure of this.departed.values()) {
      if (departure.expiresAt > now) break;
      this.forget(departure);
    }
  }

  /** The token goes with the room: once nobody is in it or remembered, anyone may create it anew. */
  private deleteIfUnused(room: string, state: Room<C>): void {
    if (state.members.size === 0 && state.away.size === 0) this.rooms.delete(room);
  }
}

/** `/` cannot occur in an id (ID_PATTERN), so the pair is unambiguous. */
function departedKey(room: string, peerId: string): string {
  return `${room}/${peerId}`;
}

function otherIds<C>(members: Map<string, C>, peerId: string): string[] {
  return [...members.keys()].filter((id) => id !== peerId);
}
