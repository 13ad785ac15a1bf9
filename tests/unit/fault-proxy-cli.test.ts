import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { ConfigError, parseCliArgs } from '../../harness/fault-proxy/cli-args.js';
import { cliRunner, waitForStdout } from './cli-run.js';

// The CLI as a user runs it: a real child process, real ports, real signals. Each spawn costs a
// node + tsx start, so flag parsing is tested in process and only a few runs are real.

const CLI = fileURLToPath(new URL('../../harness/fault-proxy/cli.ts', import.meta.url));
/** The CLI promises to be gone this soon after SIGTERM (its own deadline is 1.5 s). */
const SHUTDOWN_BUDGET_MS = 2_000;

const cli = cliRunner(CLI);
const sockets: dgram.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await cli.stopAll();
});

describe('fault proxy CLI', () => {
  it('refuses a bad flag with one ERR_CONFIG line on stderr and exit code 1', async () => {
    const run = cli.run(['--upstream', '127.0.0.1:3478', '--toxics', '{"lossPercent":150}']);
    expect((await run.exit).code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('fault-proxy: ERR_CONFIG: --toxics: invalid toxics: lossPercent must be a number from 0 to 100, got 150\n');
  });

  it('relays, answers its control API with the token, and exits 0 on SIGTERM', async () => {
    const echo = dgram.createSocket('udp4');
    sockets.push(echo);
    await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
    echo.on('message', (msg, from) => echo.send(msg, from.port, from.address));

    const run = cli.run(['--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${echo.address().port}`, '--control=127.0.0.1:0', '--toxics', '{"delayMs":1}'], { FAULT_PROXY_TOKEN: 'tok' });
    const [, port, controlUrl] = await waitForStdout(run, /^fault-proxy listening on udp\+tcp 127\.0\.0\.1:(\d+) → 127\.0\.0\.1:\d+ \(control (http:\/\/127\.0\.0\.1:\d+)\)\n$/);

    const client = dgram.createSocket('udp4');
    sockets.push(client);
    const echoed = new Promise<string>((resolve) => client.once('message', (msg) => resolve(msg.toString())));
    client.send('hello', Number(port), '127.0.0.1');
    expect(await echoed).toBe('hello');

    expect((await fetch(`${controlUrl}/toxics`)).status).toBe(401);
    const toxics = await fetch(`${controlUrl}/toxics`, { headers: { authorization: 'Bearer tok' } });
    expect(await toxics.json()).toEqual({ delayMs: 1 });

    const signalledAt = performance.now();
    run.child.kill('SIGTERM');
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalledAt).toBeLessThan(SHUTDOWN_BUDGET_MS);
    expect(run.stderr).toBe('fault-proxy: SIGTERM, shutting down\n');
  });
});

describe('fault proxy CLI flags', () => {
  it('has defaults for everything but --upstream, and takes --flag value and --flag=value', () => {
    expect(parseCliArgs(['--upstream', '127.0.0.1:3478'])).toEqual({
      listen: { host: '127.0.0.1', port: 3479 },
      upstream: { host: '127.0.0.1', port: 3478 },
      control: { host: '127.0.0.1', port: 8474 },
      toxics: {},
    });
    expect(parseCliArgs(['--upstream=[::1]:3478', '--listen', '[::1]:0', '--toxics={"delayMs":5}'])).toMatchObject({
      listen: { host: '::1', port: 0 },
      upstream: { host: '::1', port: 3478 },
      toxics: { delayMs: 5 },
    });
  });

  it.each([
    [[], '--upstream is required'],
    [['--upstream', '127.0.0.1'], "--upstream must be HOST:PORT (IPv6 as [::1]:PORT), got '127.0.0.1'"],
    [['--upstream', '::1:3478'], '--upstream must be HOST:PORT'],
    [['--upstream', '[nope]:3478'], "--upstream: 'nope' in brackets is not an IPv6 address"],
    [['--upstream', '127.0.0.1:0'], '--upstream port must be between 1 and 65535, got 0'],
    [['--upstream', '127.0.0.1:3478', '--listen', '127.0.0.1:70000'], '--listen port must be between 0 and 65535, got 70000'],
    [['--upstream', '127.0.0.1:3478', '--toxics', 'loss=5'], '--toxics must be a JSON object'],
    [['--upstream', '127.0.0.1:3478', '--toxics', '{"latencyMs":1}'], "--toxics: invalid toxics: unknown toxic 'latencyMs'"],
    [['--upstream'], '--upstream needs a value'],
    [['--upstream', '--listen', '127.0.0.1:1'], '--upstream needs a value'],
    [['--bogus'], "unknown argument '--bogus'"],
    [['stray'], "unknown argument 'stray'"],
  ])('refuses %j', (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(ConfigError);
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});
