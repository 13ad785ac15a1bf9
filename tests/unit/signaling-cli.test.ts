import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import { createSignalingServer, type SignalingServer } from '../../signaling/server.js';
import { cliRunner, waitForStdout } from './cli-run.js';

const CLI = fileURLToPath(new URL('../../signaling/cli.ts', import.meta.url));
/** What the CLI promises its supervisor after SIGTERM. */
const SHUTDOWN_BUDGET_MS = 2_000;

const cli = cliRunner(CLI);
const servers: SignalingServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await cli.stopAll();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('signaling CLI', () => {
  it.each([
    [['--bogus'], "unknown argument '--bogus'"],
    [['--port', 'abc'], "--port must be an integer, got 'abc'"],
    [['--port=70000'], '--port must be between 0 and 65535'],
    [['--port'], '--port needs a value'],
    [['--heartbeat-ms', '0'], '--heartbeat-ms must be between 1'],
    [['stray'], "unknown argument 'stray'"],
  ])('refuses %j with one ERR_CONFIG line and exit code 1', async (args, message) => {
    const run = cli.run(args);
    expect((await run.exit).code).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^signaling: ERR_CONFIG: /);
    expect(lines[0]).toContain(message);
  });

  it('refuses a port in use with one clear line and exit code 1', async () => {
    const blocker = await createSignalingServer({ host: '127.0.0.1', port: 0 });
    servers.push(blocker);
    const run = cli.run(['--host', '127.0.0.1', '--port', String(blocker.port)]);
    expect((await run.exit).code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`signaling: ERR_PORT_IN_USE: 127.0.0.1:${blocker.port} is in use; pick another --port\n`);
  });

  it('prints one listening line, and on SIGTERM says going-away and exits 0 within 2 s', async () => {
    const run = cli.run(['--port', '0', '--heartbeat-ms', '5000']);
    const match = await waitForStdout(run, /^signaling listening on ws:\/\/127\.0\.0\.1:(\d+) \(healthz http:\/\/127\.0\.0\.1:(\d+)\/healthz\)\n$/);
    expect(match[1]).toBe(match[2]);
    const res = await fetch(`http://127.0.0.1:${match[1]}/healthz`);
    expect(res.status).toBe(200);

    const ws = new WebSocket(`ws://127.0.0.1:${match[1]}`);
    sockets.push(ws);
    ws.on('error', () => {});
    const goingAway = new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    await new Promise((resolve) => ws.once('open', resolve));

    const signalledAt = Date.now();
    run.child.kill('SIGTERM');
    expect(await goingAway).toEqual({ type: 'going-away', reason: 'server shutting down' });
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(SHUTDOWN_BUDGET_MS);
  });
});
