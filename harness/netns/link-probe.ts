/**
 * A tiny traffic generator and counter, run INSIDE a namespace to measure what a link really
 * delivers: by hand `ip netns exec NS node --import tsx harness/netns/link-probe.ts MODE ...`;
 * probe-runner.ts runs it compiled, with `node -e`, to spare the tsx start-up. Each mode prints
 * one JSON line when ready (receivers) and one JSON result line at the end.
 *
 *   udp-recv --port P [--idle-ms 500] [--timeout-ms 15000]   (ends idle-ms after the last datagram or after stdin closes)
 *   udp-send --host H --port P --count N [--size 200] [--per-ms 2]
 *   tcp-recv --port P [--timeout-ms 15000]
 *   tcp-send --host H --port P --duration-ms D
 */
import dgram from 'node:dgram';
import net from 'node:net';

const DEFAULT_IDLE_MS = 500;
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_DATAGRAM_BYTES = 200;
/**
 * Datagrams per millisecond tick: quick, yet slow enough that a receiver descheduled for a while
 * on a loaded machine does not overflow its socket buffer (at 5/ms a 20 % loss measured 25 %).
 */
const DEFAULT_DATAGRAMS_PER_MS = 2;
/** Sequence number of warm-up datagrams, which the receiver does not count. */
const WARM_UP_SEQ = 0xffff_ffff;
/**
 * Warm-up datagrams resolve ARP on both hops before counting starts, so a measurement sees the
 * link's loss, not the first packets queued behind neighbour discovery.
 */
const WARM_UP_DATAGRAMS = 3;
const WARM_UP_GAP_MS = 20;
const TCP_WRITE_BYTES = 64 * 1024;

type Args = Record<string, string>;

function parse(argv: string[]): { mode: string; args: Args } {
  const [mode = '', ...rest] = argv;
  const args: Args = {};
  for (let i = 0; i < rest.length; i += 2) args[rest[i]!.replace(/^--/, '')] = rest[i + 1] ?? '';
  return { mode, args };
}

function num(args: Args, key: string, fallback?: number): number {
  const value = args[key] === undefined ? fallback : Number(args[key]);
  if (value === undefined || !Number.isFinite(value)) throw new Error(`link-probe: --${key} must be a number`);
  return value;
}

function emit(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function udpRecv(args: Args): void {
  const socket = dgram.createSocket('udp4');
  const seen = new Set<number>();
  let datagrams = 0;
  let idle: NodeJS.Timeout | undefined;
  const finish = (): void => {
    emit({ datagrams, distinct: seen.size });
    socket.close();
    process.exit(0);
  };
  setTimeout(finish, num(args, 'timeout-ms', DEFAULT_TIMEOUT_MS)).unref();
  // The runner closes stdin once the sender is done: what has not come by one idle period later is lost.
  process.stdin.on('end', () => setTimeout(finish, num(args, 'idle-ms', DEFAULT_IDLE_MS))).resume();
  socket.on('message', (msg) => {
    const seq = msg.readUInt32BE(0);
    if (seq === WARM_UP_SEQ) return;
    datagrams++;
    seen.add(seq);
    clearTimeout(idle);
    idle = setTimeout(finish, num(args, 'idle-ms', DEFAULT_IDLE_MS));
  });
  socket.bind(num(args, 'port'), () => emit({ ready: true }));
}

function udpSend(args: Args): void {
  const socket = dgram.createSocket('udp4');
  const count = num(args, 'count');
  const perTick = num(args, 'per-ms', DEFAULT_DATAGRAMS_PER_MS);
  const payload = Buffer.alloc(num(args, 'size', DEFAULT_DATAGRAM_BYTES));
  let sent = 0;
  let errors = 0;
  let pending = 0;
  const tick = (): void => {
    for (let i = 0; i < perTick && sent < count; i++, sent++) {
      const datagram = Buffer.from(payload);
      datagram.writeUInt32BE(sent, 0);
      pending++;
      socket.send(datagram, num(args, 'port'), args.host, (err) => {
        if (err) errors++;
        if (--pending === 0 && sent === count) {
          emit({ sent, errors });
          socket.close();
        }
      });
    }
    if (sent < count) setTimeout(tick, 1);
  };
  const warmUp = Buffer.from(payload);
  warmUp.writeUInt32BE(WARM_UP_SEQ, 0);
  for (let i = 0; i < WARM_UP_DATAGRAMS; i++) setTimeout(() => socket.send(warmUp, num(args, 'port'), args.host), i * WARM_UP_GAP_MS);
  setTimeout(tick, WARM_UP_DATAGRAMS * WARM_UP_GAP_MS);
}

function tcpRecv(args: Args): void {
  let bytes = 0;
  let firstByteMs: number | undefined;
  let lastByteMs: number | undefined;
  const server = net.createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      const now = performance.now();
      firstByteMs ??= now;
      lastByteMs = now;
      bytes += chunk.length;
    });
    socket.on('end', () => {
      emit({ bytes, elapsedMs: firstByteMs === undefined ? 0 : lastByteMs! - firstByteMs });
      server.close();
      process.exit(0);
    });
  });
  setTimeout(() => {
    emit({ bytes, elapsedMs: firstByteMs === undefined ? 0 : lastByteMs! - firstByteMs, timedOut: true });
    process.exit(0);
  }, num(args, 'timeout-ms', DEFAULT_TIMEOUT_MS)).unref();
  server.listen(num(args, 'port'), () => emit({ ready: true }));
}

function tcpSend(args: Args): void {
  const chunk = Buffer.alloc(TCP_WRITE_BYTES);
  const until = performance.now() + num(args, 'duration-ms');
  let bytes = 0;
  const socket = net.connect(num(args, 'port'), args.host, () => {
    const pump = (): void => {
      while (performance.now() < until) {
        bytes += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end(() => emit({ bytes }));
    };
    pump();
  });
  socket.on('error', (err) => {
    process.stderr.write(`link-probe tcp-send: ${err.message}\n`);
    process.exit(1);
  });
}

const modes: Record<string, (args: Args) => void> = { 'udp-recv': udpRecv, 'udp-send': udpSend, 'tcp-recv': tcpRecv, 'tcp-send': tcpSend };
// Run as a file (argv[1] is this script) or as `node -e <code> MODE ...` (no script in argv): start at the mode.
const cli = process.argv.slice(1);
const { mode, args } = parse(cli.slice(Math.max(0, cli.findIndex((a) => a in modes))));
const run = modes[mode];
if (!run) {
  process.stderr.write(`link-probe: unknown mode '${mode}' (one of ${Object.keys(modes).join(', ')})\n`);
  process.exit(2);
}
run(args);
