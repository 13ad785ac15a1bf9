/**
 * Run INSIDE a namespace by expose-in-netns.ts: listens on TCP <host>:<port> there and pipes each
 * connection to the Unix socket <path>. Unix sockets are named in the filesystem, not in a network
 * namespace, so this is how a server in the root namespace becomes reachable from the hub
 * without an address, route or interface added to the host. Prints one line when listening.
 *
 *   tcp-bridge <host> <port> <unix-socket-path>
 */
import net from 'node:net';

const args = process.argv.slice(1).filter((a) => a !== '--');
const [host, port, socketPath] = args;
if (!host || !port || !socketPath) {
  process.stderr.write('usage: tcp-bridge <host> <port> <unix-socket-path>\n');
  process.exit(2);
}

const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream).pipe(client);
  // Either side ending or failing ends both: a half-dead pair would hold a browser's request open.
  const end = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
});
server.on('error', (err) => {
  process.stderr.write(`tcp-bridge: ${err.message}\n`);
  process.exit(1);
});
server.listen(Number(port), host, () => process.stdout.write(`tcp-bridge listening on ${host}:${port} -> ${socketPath}\n`));
