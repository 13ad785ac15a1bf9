/**
 * Runs IN THE BROWSER (bundled by raw-blast.ts and injected into a fresh page of each peer): the
 * smallest DataChannel sender and receiver that move the same bytes the app moves, with the same
 * message size and bufferedAmount thresholds, but no hashing, no storage and no acknowledgements.
 * Signaling goes through Node: `__benchSignalOut` is exposed by Playwright, and Node calls the
 * other page's `signalIn` with what it gets.
 */

export interface RawBlastParams {
  role: 'sender' | 'receiver';
  iceServers: RTCIceServer[];
  iceTransportPolicy: RTCIceTransportPolicy;
  frameBytes: number;
  frameCount: number;
  highBytes: number;
  lowBytes: number;
}

type Signal = { type: 'description'; description: RTCSessionDescriptionInit } | { type: 'candidate'; candidate: RTCIceCandidateInit };

export interface RawBlastPage {
  /** Creates the peer connection (and, on the sender, the channel); call on both before connect(). */
  prepare(params: RawBlastParams): void;
  /** A signal from the other page, relayed by Node. */
  signalIn(json: string): void;
  /** Resolves when the channel is open; the sender makes the offer. */
  connect(): Promise<{ connectMs: number }>;
  /** Sender: sends every frame and resolves on the receiver's "done". Receiver: resolves once every byte arrived. */
  blast(): Promise<{ transferMs: number; bytes: number }>;
  close(): void;
}

/** crypto.getRandomValues fills at most this many bytes per call. */
const RANDOM_FILL_MAX_BYTES = 65_536;
const DONE = 'done';

interface BenchWindow {
  /** Exposed by Node (page.exposeFunction). */
  __benchSignalOut(json: string): Promise<void>;
  __benchRaw: RawBlastPage;
}
const benchWindow = window as unknown as BenchWindow;

let params: RawBlastParams;
let pc: RTCPeerConnection;
let channel: Promise<RTCDataChannel>;
/** Signals are handled strictly in order: a candidate must not overtake the description it belongs to. */
let inbox: Promise<void> = Promise.resolve();
/** Rejects when a signal could not be applied, so connect() fails at once instead of timing out. */
let signalFailed: Promise<never>;
let failSignal: (err: unknown) => void;
/** The receiver counts from the channel's first message, whenever blast() is called. */
let received: Promise<{ transferMs: number; bytes: number }> | undefined;

function send(signal: Signal): void {
  benchWindow.__benchSignalOut(JSON.stringify(signal)).catch((err: unknown) => failSignal(err));
}

async function handle(signal: Signal): Promise<void> {
  if (signal.type === 'candidate') return pc.addIceCandidate(signal.candidate);
  await pc.setRemoteDescription(signal.description);
  if (signal.description.type === 'offer') {
    await pc.setLocalDescription(await pc.createAnswer());
    send({ type: 'description', description: pc.localDescription!.toJSON() as RTCSessionDescriptionInit });
  }
}

function opened(dc: RTCDataChannel): Promise<RTCDataChannel> {
  dc.binaryType = 'arraybuffer';
  if (dc.readyState === 'open') return Promise.resolve(dc);
  return new Promise((resolve, reject) => {
    dc.onopen = () => resolve(dc);
    dc.onclose = () => reject(new Error('the data channel closed before it opened'));
  });
}

/** Counts bytes from the first message; at the last one, tells the sender. */
function countIncoming(dc: RTCDataChannel): Promise<{ transferMs: number; bytes: number }> {
  const expected = params.frameBytes * params.frameCount;
  return new Promise((resolve) => {
    let bytes = 0;
    let t0 = 0;
    dc.onmessage = (e: MessageEvent<ArrayBuffer>) => {
      if (bytes === 0) t0 = performance.now();
      bytes += e.data.byteLength;
      if (bytes < expected) return;
      dc.onmessage = null;
      dc.send(DONE);
      resolve({ transferMs: performance.now() - t0, bytes });
    };
  });
}

function sendAll(dc: RTCDataChannel): Promise<{ transferMs: number; bytes: number }> {
  const frame = new Uint8Array(params.frameBytes);
  for (let off = 0; off < frame.length; off += RANDOM_FILL_MAX_BYTES) crypto.getRandomValues(frame.subarray(off, off + RANDOM_FILL_MAX_BYTES));
  return new Promise((resolve) => {
    let sent = 0;
    const t0 = performance.now();
    dc.onmessage = (e: MessageEvent<unknown>) => {
      if (e.data === DONE) resolve({ transferMs: performance.now() - t0, bytes: sent * params.frameBytes });
    };
    // The app's rule (transfer/sender.ts): stop above the high mark, go on at bufferedamountlow.
    const pump = (): void => {
      while (sent < params.frameCount && dc.bufferedAmount <= params.highBytes) {
        dc.send(frame);
        sent++;
      }
    };
    dc.bufferedAmountLowThreshold = params.lowBytes;
    dc.onbufferedamountlow = pump;
    pump();
  });
}

const page: RawBlastPage = {
  prepare(p) {
    params = p;
    signalFailed = new Promise<never>((_, reject) => (failSignal = reject));
    signalFailed.catch(() => undefined); // reported by connect(), if it is still waiting
    pc = new RTCPeerConnection({ iceServers: p.iceServers, iceTransportPolicy: p.iceTransportPolicy });
    pc.onicecandidate = (e) => {
      if (e.candidate) send({ type: 'candidate', candidate: e.candidate.toJSON() });
    };
    if (p.role === 'sender') {
      channel = opened(pc.createDataChannel('blast', { ordered: true }));
    } else {
      channel = new Promise((resolve) => {
        pc.ondatachannel = (e) => {
          received = countIncoming(e.channel);
          resolve(opened(e.channel));
        };
      });
    }
  },

  signalIn(json) {
    const signal = JSON.parse(json) as Signal;
    inbox = inbox.then(() => handle(signal)).catch((err: unknown) => failSignal(err));
  },

  async connect() {
    const t0 = performance.now();
    if (params.role === 'sender') {
      await pc.setLocalDescription(await pc.createOffer());
      send({ type: 'description', description: pc.localDescription!.toJSON() as RTCSessionDescriptionInit });
    }
    await Promise.race([channel, signalFailed]);
    return { connectMs: performance.now() - t0 };
  },

  async blast() {
    const dc = await channel;
    if (params.role === 'sender') return sendAll(dc);
    return received!;
  },

  close() {
    pc.close();
  },
};

benchWindow.__benchRaw = page;
