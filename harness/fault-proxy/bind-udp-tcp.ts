import dgram from 'node:dgram';
import net from 'node:net';

import { HarnessError } from '../errors.js';

/**
 * Binds a UDP socket and a TCP listener on the same port number, as a TURN server has them.
 * With port 0 it asks the OS for a UDP port and tries the same number for TCP, a few times; the
 * sockets are kept, never closed and rebound, so nobody can take the port in between.
 */

const PORT_PICK_ATTEMPTS = 20;

export interface BoundUdpTcp {
  port: number;
  udp: dgram.Socket;
  tcp: net.Server;
}

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function listenTcp(host: string, port: number): Promise<net.Server> {
  // allowHalfOpen: a client's FIN is passed upstream by the relay, not answered by Node on its own.
  const server = net.createServer({ allowHalfOpen: true, noDelay: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.removeListener('error', reject);
      resolve(server);
    });
  });
}

function closeUdp(socket: dgram.Socket | undefined): Promise<void> {
  return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
}

function inUse(host: string, port: number, busy: string[], cause: unknown): HarnessError {
  return new HarnessError('ERR_CONFIG', `fault proxy cannot listen on ${host}:${port}: ${busy.join(' and ')} already in use or not bindable`, {
    context: { host, port, busy },
    hint: 'Another process (another proxy, or coturn) may hold that port: pick another, or 0 for any free one.',
    cause,
  });
}

export async function bindUdpAndTcp(host: string, port: number): Promise<BoundUdpTcp> {
  if (port !== 0) {
    const udp = await bindUdp(host, port).catch((err: unknown) => err as Error);
    const tcp = await listenTcp(host, port).catch((err: unknown) => err as Error);
    if (udp instanceof dgram.Socket && tcp instanceof net.Server) return { port, udp, tcp };
    if (udp instanceof dgram.Socket) await closeUdp(udp);
    if (tcp instanceof net.Server) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    const busy = [udp instanceof Error ? 'udp' : undefined, tcp instanceof Error ? 'tcp' : undefined].filter((b): b is string => b !== undefined);
    throw inUse(host, port, busy, udp instanceof Error ? udp : tcp);
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_PICK_ATTEMPTS; attempt++) {
    const udp = await bindUdp(host, 0).catch((err: unknown) => {
      // Port 0 is always free, so this is the host: not an address of this machine, or not an address at all.
      throw new HarnessError('ERR_CONFIG', `fault proxy cannot bind UDP on ${host}: ${(err as Error).message}`, {
        context: { host },
        hint: 'Listen on a local address such as 127.0.0.1 or ::1.',
        cause: err,
      });
    });
    const picked = udp.address().port;
    try {
      return { port: picked, udp, tcp: await listenTcp(host, picked) };
    } catch (err) {
      lastError = err;
      await closeUdp(udp);
    }
  }
  throw new HarnessError('ERR_CONFIG', `fault proxy found no port free for both UDP and TCP on ${host} in ${PORT_PICK_ATTEMPTS} tries`, {
    context: { host },
    hint: 'The machine is short of free ports, or the host is not a local address.',
    cause: lastError,
  });
}
