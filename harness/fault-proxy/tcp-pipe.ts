import net from 'node:net';

import type { Logger } from '../log.js';
import type { ProxyToxics } from './control-protocol.js';
import type { ProxyCounters } from './counters.js';
import type { QueueBudget } from './queue-budget.js';
import { TcpLane } from './tcp-lane.js';

/**
 * One client TCP connection piped to its own upstream connection, a lane each way. Endings are
 * passed on as they came: a FIN after the data queued before it, a reset (or a refused upstream
 * connect) as a reset, so the client sees what it would see talking to the server directly.
 */

export interface TcpPipeOptions {
  upstreamHost: string;
  upstreamPort: number;
  toxics: () => Readonly<ProxyToxics>;
  budget: QueueBudget;
  counters: ProxyCounters;
  log: Logger;
  /** Called once, when both sockets are gone. */
  onClosed: (pipe: TcpPipe) => void;
}

export class TcpPipe {
  private readonly upstream: net.Socket;
  private readonly lanes: TcpLane[];
  private finished = false;

  constructor(private readonly client: net.Socket, private readonly opts: TcpPipeOptions) {
    client.setNoDelay(true);
    // allowHalfOpen: the client's FIN must not close our side before the server's answer is through.
    this.upstream = net.connect({ host: opts.upstreamHost, port: opts.upstreamPort, allowHalfOpen: true, noDelay: true });
    const laneOpts = { toxics: opts.toxics, budget: opts.budget, counters: opts.counters };
    this.lanes = [new TcpLane(client, this.upstream, laneOpts), new TcpLane(this.upstream, client, laneOpts)];
    this.wire(client, this.upstream, 'client');
    this.wire(this.upstream, client, 'upstream');
  }

  /** Re-reads the toxics in both lanes (a blackhole stalls or releases them at once). */
  updateFlow(): void {
    for (const lane of this.lanes) lane.updateFlow();
  }

  /** Both sides get an RST, as if the path between them had sent one. */
  reset(): void {
    this.closeLanes();
    for (const socket of [this.client, this.upstream]) if (!socket.destroyed) socket.resetAndDestroy();
  }

  private wire(socket: net.Socket, other: net.Socket, side: 'client' | 'upstream'): void {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.opts.log(`${side} socket error ${err.code ?? err.message}; resetting the other side`);
      this.closeLanes();
      if (!other.destroyed) other.resetAndDestroy();
    });
    // Each socket closes on its own: after its FIN went both ways (autoDestroy), or after an error or reset.
    socket.on('close', () => {
      if (this.client.destroyed && this.upstream.destroyed) this.finish();
    });
  }

  private closeLanes(): void {
    for (const lane of this.lanes) lane.close();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.closeLanes();
    this.opts.onClosed(this);
  }
}
