import { DEFAULT_CHUNK_BYTES, DEFAULT_RECOVERY } from './config.js';
import { AppError } from './errors.js';
import { startHasher } from './hash/hasher.js';
import { fetchAppConfig, readPageOptions, type PageOptions } from './net/app-config.js';
import { PeerLink, type IceServerError, type PeerLinkEvents } from './net/peer-link.js';
import { SignalingClient, type SignalingStatus } from './net/signaling-client.js';
import { KeyVault } from './security/key-vault.js';
import { PeerAuth } from './security/peer-auth.js';
import { decodeSessionKey, encodeSessionKey, importMacKey, newSessionKeyBytes } from './security/session-key.js';
import { CheckpointStore } from './storage/checkpoint-store.js';
import { findOutgoing, forgetOutgoing, rememberOutgoing, type OutgoingTransfer } from './transfer/outgoing-registry.js';
import { MAX_CHUNK_BYTES, type Manifest } from './transfer/protocol.js';
import { Receiver } from './transfer/receiver.js';
import { Sender } from './transfer/sender.js';
import { formatBytes } from './ui/format.js';
import { View } from './ui/view.js';

const view = new View();
const options = readPageOptions(location.search);
const hasher = startHasher(new URL('./hash-worker.js', import.meta.url).href);

function randomId(bytes = 12): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A peer id that survives a reload, a crashed tab and a killed browser (localStorage is on disk
 * in the profile), so the server sees this peer rejoin rather than a stranger fill the room.
 */
function stablePeerId(role: string, room: string): string {
  const key = `peer-id:${role}:${room}`;
  let id = localStorage.getItem(key);
  if (!id) {
    id = `${role}-${randomId(6)}`;
    localStorage.setItem(key, id);
  }
  return id;
}

function describeSignaling(s: SignalingStatus): [string, string] {
  switch (s.state) {
    case 'connecting':
      return [s.attempt === 0 ? 'connecting…' : `reconnecting (attempt ${s.attempt + 1})…`, 'connecting'];
    case 'joined':
      return [`connected, ${s.peers.length === 0 ? 'alone in the room' : 'peer present'}`, 'joined'];
    case 'offline':
      return [`offline (${s.reason}); retrying in ${(s.retryInMs / 1000).toFixed(1)} s`, 'offline'];
    case 'room-full':
      return [`the room is full (someone else holds its second place); trying again in ${(s.retryInMs / 1000).toFixed(1)} s`, 'room-full'];
    case 'kicked':
      return [`removed from the room by ${s.by}: it refused this page (no proof of the session key)`, 'kicked'];
  }
}

function iceServerError(err: IceServerError): AppError {
  if (err.code === 401 || err.code === 403) {
    return new AppError('ERR_TURN_AUTH', `the TURN server ${err.url} refused our credentials (${err.code} ${err.text})`, 'The credentials are wrong or expired: check the TURN secret and the server clocks.', { ...err });
  }
  return new AppError('ERR_TURN_UNREACHABLE', `no connection: the STUN/TURN server ${err.url} did not answer (${err.code} ${err.text})`, 'Check that the TURN server is running and reachable (UDP and TCP).', { ...err });
}

async function connect(role: 'sender' | 'receiver', room: string, token: string, onOpen: Omit<PeerLinkEvents, 'iceServerError' | 'recovered'>): Promise<PeerLink> {
  const first = await fetchAppConfig(options);
  let link: PeerLink | undefined;
  const signaling = new SignalingClient(first.signalingUrl, room, stablePeerId(role, room), token, {
    status: (s) => {
      const [text, state] = describeSignaling(s);
      view.setSignaling(text, state);
      if (s.state !== 'connecting') view.event(`signaling: ${text}`);
    },
    peerJoined: (peerId) => link?.remotePresent(peerId),
    peerLeft: (peerId) => link?.remoteGone(peerId),
    signal: (from, data) => link?.onSignal(from, data),
    error: (code, message) => view.event(`signaling error ${code}: ${message}`),
  });
  const recovery = options.recovery ?? DEFAULT_RECOVERY;
  // How each loss of the path ended, for the user and for the harness (data-ice-restarts, …).
  const recoveries = { 'ice-restart': 0, 'new-peer': 0 };
  view.setData({ recovery, iceRestarts: 0, peerRebuilds: 0 });
  link = new PeerLink({
    role,
    recovery,
    signaling,
    iceConfig: async (): Promise<RTCConfiguration> => {
      const c = await fetchAppConfig(options);
      return { iceServers: c.iceServers, iceTransportPolicy: c.iceTransportPolicy };
    },
    on: {
      ...onOpen,
      iceServerError: (err) => view.showError(iceServerError(err)),
      recovered: (how, silentMs) => {
        recoveries[how] += 1;
        view.setData({ iceRestarts: recoveries['ice-restart'], peerRebuilds: recoveries['new-peer'], lastRecovery: how, lastSilentMs: Math.round(silentMs) });
        view.event(`path recovered by ${how === 'ice-restart' ? 'an ICE restart on the same connection' : 'a new connection'} after ${(silentMs / 1000).toFixed(1)} s of silence`);
      },
    },
    log: (m) => view.event(m),
  });
  signaling.start();
  return link;
}

/**
 * Same name and size as an interrupted transfer: if the contents match (whole-file BLAKE3), it is
 * the same transfer, resumed in the same room; if not, resuming would mix two files (DATA-4), so
 * the user is told and a fresh transfer starts.
 */
async function planTransfer(file: File, fileHash: string, chunkSize: number, vault: KeyVault): Promise<{ t: OutgoingTransfer; key: Uint8Array; resumed: boolean }> {
  const previous = findOutgoing(file.name, file.size);
  const same = previous !== undefined && previous.fileHash === fileHash && previous.chunkSize === chunkSize;
  if (same) {
    // The session key rests wrapped in IndexedDB (SEC-4); without it the receiver could not be
    // told apart from a stranger, so the transfer could not go on.
    const key = await vault.load(senderKeyId(previous.room));
    if (key) return { t: previous, key, resumed: true };
    view.event('the interrupted transfer’s session key is no longer stored: starting a fresh transfer');
  } else if (previous) {
    view.showError(
      new AppError(
        'ERR_FILE_MISMATCH',
        `resume refused: an interrupted transfer of “${file.name}” (${formatBytes(file.size)}) exists, but this file’s contents differ (BLAKE3 ${fileHash.slice(0, 12)}… ≠ ${previous.fileHash.slice(0, 12)}…)`,
        'A fresh transfer was started instead: send the receiver the new link.',
      ),
    );
  }
  const t = { room: randomId(9), token: randomId(16), transferId: randomId(), fileHash, chunkSize };
  const key = newSessionKeyBytes();
  // Stored before the transfer is remembered: there is never an outgoing record without its key.
  await vault.save(senderKeyId(t.room), key);
  rememberOutgoing(file.name, file.size, t);
  return { t, key, resumed: false };
}

/** Where each side keeps a room's session key in the vault (a room carries one transfer). */
const senderKeyId = (room: string) => `sender:${room}`;
const receiverKeyId = (room: string) => `receiver:${room}`;

async function startSender(file: File): Promise<void> {
  const chunkSize = Math.min(options.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES);
  view.setPhase('hashing', `BLAKE3 of ${file.name} (${formatBytes(file.size)})`);
  const fileHash = await hasher.api.hashBlob(file);
  const vault = new KeyVault(await CheckpointStore.open());
  const { t, key, resumed } = await planTransfer(file, fileHash, chunkSize, vault);
  const manifest: Manifest = {
    transferId: t.transferId,
    name: file.name,
    size: file.size,
    mimeType: file.type || 'application/octet-stream',
    chunkSize,
    chunkCount: Math.ceil(file.size / chunkSize),
    fileHash,
  };
  view.setData({ transferId: manifest.transferId, fileHash, totalBytes: file.size, room: t.room, resumedTransfer: resumed ? 1 : 0 });
  // The key rides in the fragment, which the browser never sends to any server.
  view.showLink(`${location.origin}${location.pathname}${location.search}#room=${t.room}&token=${t.token}&k=${encodeSessionKey(key)}`);
  if (resumed) view.event('same file as an interrupted transfer: resuming it in the same room');
  let link: PeerLink | undefined;
  const sender = new Sender(file, manifest, hasher.api, {
    progress: (p) => {
      view.progress(p.ackedBytes, p.totalBytes);
      view.setData({ verifiedBytes: p.ackedBytes, sentBytes: p.sentBytes, resentBytes: p.resentBytes });
    },
    phase: (phase, detail) => {
      view.setPhase(phase, detail);
      if (phase === 'done') forgetOutgoing(file.name, file.size);
    },
    error: (err) => view.showError(err),
    refusedPeer: (count, reason, port) => {
      view.setData({ resumeRefusals: count });
      view.event(`refused a peer without proof of the session key: ${reason}`);
      // It must not keep the room's second place from the real receiver (SEC-1).
      link?.expel(port);
    },
  }, new PeerAuth('sender', await importMacKey(key)));
  link = await connect('sender', t.room, t.token, {
    state: (s, d) => view.setLink(s, d),
    open: (port) => sender.attach(port),
    message: (data, port) => sender.onMessage(data, port),
    down: (reason) => {
      sender.detach();
      view.event(`connection lost: ${reason}`);
    },
  });
  if (!sender.done) view.setPhase('waiting-for-receiver', resumed ? 'resuming: waiting for the receiver' : 'share the link');
}

/**
 * The session key from the link, saved wrapped in IndexedDB and then dropped from the address bar
 * (so it is not left in history, and a reload proves the stored key works); without one in the
 * link, the key stored for this room, if any.
 */
async function receiverKey(vault: KeyVault, room: string, fromLink: Uint8Array | undefined): Promise<CryptoKey | undefined> {
  if (fromLink) {
    await vault.save(receiverKeyId(room), fromLink);
    const params = new URLSearchParams(location.hash.slice(1));
    params.delete('k');
    history.replaceState(history.state, '', `${location.pathname}${location.search}#${params.toString()}`);
    view.setData({ sessionKeySource: 'link' });
    return importMacKey(fromLink);
  }
  const stored = await vault.load(receiverKeyId(room));
  view.setData({ sessionKeySource: stored ? 'vault' : 'none' });
  return stored ? importMacKey(stored) : undefined;
}

async function startReceiver(room: string, token: string, linkKey: Uint8Array | undefined): Promise<void> {
  const store = await CheckpointStore.open();
  const key = await receiverKey(new KeyVault(store), room, linkKey);
  if (!key) view.event('no session key for this room: the sender will refuse us until the complete link (with &k=…) is opened');
  const receiver = new Receiver(store, hasher.api, {
    manifest: (m, resumed) => {
      view.showIncoming(`${m.name} · ${formatBytes(m.size)}${resumed > 0 ? ` · resuming from ${formatBytes(resumed)}` : ''}`);
      view.setData({ transferId: m.transferId, fileHash: m.fileHash, fileName: m.name, totalBytes: m.size, resumedFromBytes: resumed });
    },
    progress: (p) => {
      view.progress(p.verifiedBytes, p.totalBytes);
      view.setData({ verifiedBytes: p.verifiedBytes, chunksAccepted: p.chunksAccepted, chunksRejected: p.chunksRejected, chunksDuplicate: p.chunksDuplicate, chunksDroppedAtResume: p.chunksDroppedAtResume });
    },
    phase: (phase, detail) => view.setPhase(phase, detail),
    complete: (file, m) => view.offerDownload(file, m.name),
    error: (err) => view.showError(err),
  }, new PeerAuth('receiver', key));
  await connect('receiver', room, token, {
    state: (s, d) => view.setLink(s, d),
    open: () => view.clearError(),
    message: (data, port) => receiver.onMessage(data, port),
    down: (reason) => view.event(`connection lost: ${reason}`),
  });
  view.setPhase('waiting-for-sender', 'connected to signaling; waiting for the sender');
}

function main(opts: PageOptions): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const room = params.get('room');
  const fail = (err: unknown) => view.showError(err instanceof AppError ? err : new AppError('ERR_CONFIG', String(err)));
  view.setData({ chunkSizeBytes: opts.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES });
  if (room) {
    view.setRole('receiver');
    startReceiver(room, params.get('token') ?? '', decodeSessionKey(params.get('k'))).catch(fail);
    return;
  }
  view.setRole('sender');
  view.setPhase('idle', 'choose a file');
  const input = document.getElementById('file-input') as HTMLInputElement;
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    input.disabled = true;
    startSender(file).catch(fail);
  });
}

main(options);
