import { DEFAULT_CHUNK_BYTES } from './config.js';
import { AppError } from './errors.js';
import { startHasher } from './hash/hasher.js';
import { fetchAppConfig, readPageOptions, type PageOptions } from './net/app-config.js';
import { PeerLink, type IceServerError, type PeerLinkEvents } from './net/peer-link.js';
import { SignalingClient, type SignalingStatus } from './net/signaling-client.js';
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
  }
}

function iceServerError(err: IceServerError): AppError {
  if (err.code === 401 || err.code === 403) {
    return new AppError('ERR_TURN_AUTH', `the TURN server ${err.url} refused our credentials (${err.code} ${err.text})`, 'The credentials are wrong or expired: check the TURN secret and the server clocks.', { ...err });
  }
  return new AppError('ERR_TURN_UNREACHABLE', `no connection: the STUN/TURN server ${err.url} did not answer (${err.code} ${err.text})`, 'Check that the TURN server is running and reachable (UDP and TCP).', { ...err });
}

async function connect(role: 'sender' | 'receiver', room: string, token: string, onOpen: Omit<PeerLinkEvents, 'iceServerError'>): Promise<PeerLink> {
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
  link = new PeerLink({
    role,
    signaling,
    iceConfig: async (): Promise<RTCConfiguration> => {
      const c = await fetchAppConfig(options);
      return { iceServers: c.iceServers, iceTransportPolicy: c.iceTransportPolicy };
    },
    on: { ...onOpen, iceServerError: (err) => view.showError(iceServerError(err)) },
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
function planTransfer(file: File, fileHash: string, chunkSize: number): { t: OutgoingTransfer; resumed: boolean } {
  const previous = findOutgoing(file.name, file.size);
  if (previous && previous.fileHash === fileHash && previous.chunkSize === chunkSize) return { t: previous, resumed: true };
  if (previous) {
    view.showError(
      new AppError(
        'ERR_FILE_MISMATCH',
        `resume refused: an interrupted transfer of “${file.name}” (${formatBytes(file.size)}) exists, but this file’s contents differ (BLAKE3 ${fileHash.slice(0, 12)}… ≠ ${previous.fileHash.slice(0, 12)}…)`,
        'A fresh transfer was started instead: send the receiver the new link.',
      ),
    );
  }
  const t = { room: randomId(9), token: randomId(16), transferId: randomId(), fileHash, chunkSize };
  rememberOutgoing(file.name, file.size, t);
  return { t, resumed: false };
}

async function startSender(file: File): Promise<void> {
  const chunkSize = Math.min(options.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES);
  view.setPhase('hashing', `BLAKE3 of ${file.name} (${formatBytes(file.size)})`);
  const fileHash = await hasher.api.hashBlob(file);
  const { t, resumed } = planTransfer(file, fileHash, chunkSize);
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
  view.showLink(`${location.origin}${location.pathname}${location.search}#room=${t.room}&token=${t.token}`);
  if (resumed) view.event('same file as an interrupted transfer: resuming it in the same room');
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
  });
  await connect('sender', t.room, t.token, {
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

async function startReceiver(room: string, token: string): Promise<void> {
  const store = await CheckpointStore.open();
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
  });
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
    startReceiver(room, params.get('token') ?? '').catch(fail);
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
