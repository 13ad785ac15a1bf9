import dgram from 'node:dgram';
import net from 'node:net';

import { HarnessError } from '../lib/errors.js';
import { decodeMessage, encodeMessage, newTransactionId, StunMethod, type StunAddress } from './stun-message.js';
import { changeRequestAttr, decodeBindingAnswer, type BindingAnswer, type ChangeRequest } from './stun-rfc5780.js';

/**
 * NAT behaviour discovery (RFC 5780 §4.3 mapping, §4.4 filtering) against a STUN server that has
 * an alternate address (coturn with two listening IPs). Run it from the machine behind the NAT:
 * the harness runs it inside a peer's namespace (harness/netns/nat-probe.ts).
 */

export type NatMapping = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';
export type NatFiltering = NatMapping | 'udp-blocked';

export interface NatBehaviour {
  /** 'unknown' only when UDP is blocked: the mapping tests need a UDP answer. */
  mapping: NatMapping | 'unknown';
  filtering: NatFiltering;
  /** Test I's mapped address, and the local address it was sent from: equal means no NAT at all. */
  mapped: StunAddress | undefined;
  local: StunAddress | undefined;
  behindNat: boolean;
}

export interface NatServer {
  host: string;
  port: number;
  /** How long a test waits for an answer that a filtering NAT drops: its "no" costs this much. */
  answerTimeoutMs?: number;
}

const DEFAULT_ANSWER_TIMEOUT_MS = 1_500;
const UDP_INITIAL_RTO_MS = 100;

/** One UDP socket, not connected: requests go to any address and answers may come from any (CHANGE-REQUEST). */
class BindingSocket {
  private readonly waiting = new Map<string, (a: BindingAnswer) => void>();

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (raw) => {
      const msg = decodeMessage(raw);
      const answer = msg && decodeBindingAnswer(msg);
      if (msg && answer) this.waiting.get(msg.transactionId.toString('hex'))?.(answer);
    });
  }

  static async open(): Promise<BindingSocket> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => resolve());
    });
    return new BindingSocket(socket);
  }

  localPort(): number {
    return this.socket.address().port;
  }

  /** The answer, or undefined when none came within `timeoutMs` (retransmitting meanwhile). */
  async binding(to: { host: string; port: number }, timeoutMs: number, change?: ChangeRequest): Promise<BindingAnswer | undefined> {
    const transactionId = newTransactionId();
    const bytes = encodeMessage({ method: StunMethod.Binding, cls: 'request', transactionId, attributes: change ? [changeRequestAttr(change)] : [] }, { fingerprint: true });
    const id = transactionId.toString('hex');
    let retransmit: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    try {
      return await new Promise<BindingAnswer | undefined>((resolve) => {
        this.waiting.set(id, resolve);
        deadline = setTimeout(() => resolve(undefined), timeoutMs);
        let rtoMs = UDP_INITIAL_RTO_MS;
        const send = (): void => {
          this.socket.send(bytes, to.port, to.host);
          retransmit = setTimeout(send, rtoMs);
          rtoMs *= 2;
        };
        send();
      });
    } finally {
      clearTimeout(retransmit);
      clearTimeout(deadline);
      this.waiting.delete(id);
    }
  }

  close(): void {
    this.socket.close();
  }
}

function same(a: StunAddress | undefined, b: StunAddress | undefined): boolean {
  return a !== undefined && b !== undefined && a.address === b.address && a.port === b.port;
}

/** §4.3: one socket, Binding to primary, to (alternate IP, primary port), to (alternate IP, alternate port). */
async function mappingTests(server: NatServer, first: BindingAnswer, socket: BindingSocket, timeoutMs: number): Promise<NatMapping> {
  const other = first.other!;
  const second = await socket.binding({ host: other.address, port: server.port }, timeoutMs);
  if (!second) return noAnswer('mapping test II', { host: other.address, port: server.port });
  if (same(second.mapped, first.mapped)) return 'endpoint-independent';
  const third = await socket.binding({ host: other.address, port: other.port }, timeoutMs);
  if (!third) return noAnswer('mapping test III', { host: other.address, port: other.port });
  return same(third.mapped, second.mapped) ? 'address-dependent' : 'address-and-port-dependent';
}

/** §4.4, each test on a fresh socket so no earlier request has opened the NAT to the answer's source. */
async function filteringTests(server: NatServer, timeoutMs: number): Promise<NatMapping> {
  const ask = async (change: ChangeRequest): Promise<boolean> => {
    const socket = await BindingSocket.open();
    try {
      return (await socket.binding(server, timeoutMs, change)) !== undefined;
    } finally {
      socket.close();
    }
  };
  const [fromOtherIpAndPort, fromOtherPort] = await Promise.all([ask({ changeIp: true, changePort: true }), ask({ changeIp: false, changePort: true })]);
  if (fromOtherIpAndPort) return 'endpoint-independent';
  return fromOtherPort ? 'address-dependent' : 'address-and-port-dependent';
}

function noAnswer(what: string, to: { host: string; port: number }): never {
  throw new HarnessError('ERR_TURN_UNREACHABLE', `NAT discovery: ${what} to ${to.host}:${to.port} got no answer, although the primary address answered`, {
    context: { what, to },
    hint: "The server's alternate address is unreachable from here: does the hub route it, and does coturn listen on it (two listening-ip lines)?",
  });
}

/** Classifies the NAT between this host and `server` (which must answer with OTHER-ADDRESS). */
export async function discoverNatBehaviour(server: NatServer, localAddress?: string): Promise<NatBehaviour> {
  if (!net.isIPv4(server.host)) throw new HarnessError('ERR_CONFIG', `NAT discovery takes an IPv4 server address (got ${server.host})`);
  const timeoutMs = server.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
  const socket = await BindingSocket.open();
  try {
    const first = await socket.binding(server, timeoutMs);
    const local = localAddress === undefined ? undefined : { family: 'IPv4' as const, address: localAddress, port: socket.localPort() };
    if (!first) return { mapping: 'unknown', filtering: 'udp-blocked', mapped: undefined, local, behindNat: true };
    if (!first.other) {
      throw new HarnessError('ERR_CONFIG', `STUN server ${server.host}:${server.port} answered without OTHER-ADDRESS: it does not do RFC 5780`, {
        context: { server, answer: first },
        hint: 'Start coturn with an alternate address (launchTurnServer({ alternateHost })), which turns RFC 5780 on.',
      });
    }
    const [mapping, filtering] = await Promise.all([mappingTests(server, first, socket, timeoutMs), filteringTests(server, timeoutMs)]);
    return { mapping, filtering, mapped: first.mapped, local, behindNat: !same(first.mapped, local) };
  } finally {
    socket.close();
  }
}
