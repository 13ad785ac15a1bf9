import type net from 'node:net';

import { createLogger, type Logger } from '../log.js';
import type { ProxyToxics } from './control-protocol.js';
import type { ProxyCounters } from './counters.js';
import type { QueueBudget } from './queue-budget.js';
import { TcpPipe } from './tcp-pipe.js';

/**
 * The TCP half of the proxy: accepts clients on the listening server and pipes each to the
 * upstream. blockTcp answers new connections with an RST straight after accept, which a client
 * sees as ECONNRESET, like a firewall rule that rejects with tcp-reset.
 */

export interface TcpRelayOptions {
  /** The listening server; the relay owns it from now on. */
  server: net.Server;
  upstreamHost: string;
  upstreamPort: number;
  toxics: () => Readonly<ProxyToxics>;
  budget: QueueBudget;
  counters: ProxyCounters;
}

export class TcpRelay {
  private readonly pipes = new Set<TcpPipe>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly opts: TcpRelayOptions) {
    const address = opts.server.address();
    this.log = createLogger('fault-proxy', `tcp:${typeof address === 'object' && address ? address.port : '?'}`);
    opts.server.on('connection', (client) => this.accept(client));
    opts.server.on('error', (err) => this.log(`listen error: ${err.message}`));
  }

  get openCount(): number {
    return this.pipes.size;
  }

  /** Resets every open connection; returns how many. */
  resetAll(): number {
    const pipes = [...this.pipes];
    for (const pipe of pipes) pipe.reset();
    this.opts.counters.tcpConnectionsReset += pipes.length;
    if (pipes.length > 0) this.log(`reset ${pipes.length} connection(s)`);
    return pipes.length;
  }

  updateFlow(): void {
    for (const pipe of this.pipes) pipe.updateFlow();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const closedServer = new Promise<void>((resolve) => this.opts.server.close(() => resolve()));
    for (const pipe of [...this.pipes]) pipe.reset();
    return closedServer;
  }

  private accept(client: net.Socket): void {
    if (this.closed || this.opts.toxics().blockTcp) {
      this.opts.counters.tcpConnectionsRefused++;
      // An RST can still fail (the client may be gone already); that is no news.
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    this.opts.counters.tcpConnectionsTotal++;
    const pipe = new TcpPipe(client, {
      upstreamHost: this.opts.upstreamHost,
      upstreamPort: this.opts.upstreamPort,
      toxics: this.opts.toxics,
      budget: this.opts.budget,
      counters: this.opts.counters,
      log: this.log,
      onClosed: (p) => this.pipes.delete(p),
    });
    this.pipes.add(pipe);
  }
}
