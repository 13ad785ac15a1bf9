import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { CdpError, RawCdpClient, evaluateInSession, parseDevToolsUrl } from '../../harness/browser/raw-cdp-client.js';

describe('parseDevToolsUrl', () => {
  it('reads the browser endpoint from Chromium’s stderr, among other lines', () => {
    const stderr = [
      '[123:140:1126/030516.793986:ERROR:dbus/bus.cc:405] Failed to connect to the bus',
      '',
      'DevTools listening on ws://127.0.0.1:39943/devtools/browser/52d7fc33-f515-4812-adca-d74b76ad4fff',
      '[123:123:1126/030518.933358:ERROR:components/page_load_metrics] Invalid first_paint',
    ].join('\n');
    expect(parseDevToolsUrl(stderr)).toBe('ws://127.0.0.1:39943/devtools/browser/52d7fc33-f515-4812-adca-d74b76ad4fff');
  });

  it('says nothing until the whole line is there, and refuses what is not a browser endpoint', () => {
    expect(parseDevToolsUrl('')).toBeUndefined();
    expect(parseDevToolsUrl('DevTools listening on ')).toBeUndefined();
    expect(parseDevToolsUrl('DevTools listening on ws://127.0.0.1:9222/devtools/page/ABC')).toBeUndefined();
    expect(parseDevToolsUrl('DevTools listening on http://127.0.0.1:9222/devtools/browser/x')).toBeUndefined();
    expect(parseDevToolsUrl('DevTools listening on ws://[bad/devtools/browser/x')).toBeUndefined();
  });
});

/** A tiny CDP-shaped server: the test decides what it answers, and when. */
async function fakeBrowser(onRequest: (req: { id: number; method: string; params: Record<string, unknown>; sessionId?: string }, ws: WebSocket) => void): Promise<{ url: string; server: WebSocketServer; sockets: WebSocket[] }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  server.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data) => onRequest(JSON.parse(data.toString()) as { id: number; method: string; params: Record<string, unknown>; sessionId?: string }, ws));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/devtools/browser/test`, server, sockets };
}

describe('RawCdpClient', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function connect(onRequest: Parameters<typeof fakeBrowser>[0]): Promise<{ client: RawCdpClient; server: WebSocketServer; sockets: WebSocket[] }> {
    const fake = await fakeBrowser(onRequest);
    cleanups.push(() => new Promise((resolve) => fake.server.close(() => resolve())));
    const client = await RawCdpClient.connect(fake.url);
    cleanups.push(() => client.close());
    return { client, ...fake };
  }

  it('matches each response to its request by id, whatever order they come back in', async () => {
    const held: { id: number; method: string; sessionId?: string }[] = [];
    const { client } = await connect((req, ws) => {
      held.push(req);
      if (held.length < 3) return;
      // Answer all three, in reverse order, each echoing what it was asked.
      for (const r of [...held].reverse()) ws.send(JSON.stringify({ id: r.id, result: { targetId: `${r.method}#${r.id}` }, ...(r.sessionId ? { sessionId: r.sessionId } : {}) }));
    });
    const [a, b, c] = await Promise.all([
      client.send('Target.createTarget', { url: 'about:blank' }),
      client.send('Target.createTarget', { url: 'about:blank' }, { sessionId: 'S1' }),
      client.send('Target.createTarget', { url: 'about:blank' }),
    ]);
    expect([a.targetId, b.targetId, c.targetId]).toEqual(['Target.createTarget#1', 'Target.createTarget#2', 'Target.createTarget#3']);
    expect(held.map((r) => r.sessionId)).toEqual([undefined, 'S1', undefined]);
  });

  it('turns a protocol error into ERR_CDP_PROTOCOL carrying the method and CDP code', async () => {
    const { client } = await connect((req, ws) => ws.send(JSON.stringify({ id: req.id, error: { code: -32602, message: 'Invalid parameters', data: 'targetId: string value expected' } })));
    const err = await client.send('Target.activateTarget', { targetId: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CdpError);
    expect((err as CdpError).code).toBe('ERR_CDP_PROTOCOL');
    expect((err as CdpError).message).toContain('Target.activateTarget failed: Invalid parameters (-32602): targetId');
    expect((err as CdpError).context).toMatchObject({ method: 'Target.activateTarget', cdpCode: -32602 });
  });

  it('reports a command nobody answers as ERR_CDP_TIMEOUT, and ignores the late answer', async () => {
    let late: (() => void) | undefined;
    const { client } = await connect((req, ws) => {
      late = () => ws.send(JSON.stringify({ id: req.id, result: {} }));
    });
    const err = await client.send('Browser.getVersion', {}, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect((err as CdpError).code).toBe('ERR_CDP_TIMEOUT');
    late?.();
    // The connection is still usable after a late answer arrived for a forgotten id.
    expect(client.closed).toBe(false);
  });

  it('rejects pending commands with ERR_CDP_CLOSED when the browser goes away, and refuses new ones', async () => {
    const { client, sockets } = await connect(() => undefined);
    const pending = client.send('Browser.getVersion', {}).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    sockets[0]!.terminate();
    expect(((await pending) as CdpError).code).toBe('ERR_CDP_CLOSED');
    expect(client.closed).toBe(true);
    const after = await client.send('Browser.getVersion', {}).catch((e: unknown) => e);
    expect((after as CdpError).code).toBe('ERR_CDP_CLOSED');
  });

  it('treats a frame that is not JSON as fatal: pending commands are rejected with the reason', async () => {
    const { client } = await connect((_req, ws) => ws.send('this is not json'));
    const err = await client.send('Browser.getVersion', {}).catch((e: unknown) => e);
    expect((err as CdpError).code).toBe('ERR_CDP_CLOSED');
    expect((err as CdpError).message).toContain('ERR_CDP_MALFORMED');
  });

  it('dispatches events by name, and by session when one is given', async () => {
    const { client, sockets } = await connect(() => undefined);
    const all: string[] = [];
    const s1: string[] = [];
    client.on('Target.detachedFromTarget', (e) => all.push(e.sessionId));
    const off = client.on('Target.detachedFromTarget', (e) => s1.push(e.sessionId), 'S1');
    const waited = client.waitForEvent('Browser.downloadProgress', (e) => e.state === 'completed', 2_000);
    const send = (m: object) => sockets[0]!.send(JSON.stringify(m));
    send({ method: 'Target.detachedFromTarget', params: { sessionId: 'S1' }, sessionId: 'S1' });
    send({ method: 'Target.detachedFromTarget', params: { sessionId: 'S2' }, sessionId: 'S2' });
    send({ method: 'Browser.downloadProgress', params: { guid: 'g', totalBytes: 9, receivedBytes: 1, state: 'inProgress' } });
    send({ method: 'Browser.downloadProgress', params: { guid: 'g', totalBytes: 9, receivedBytes: 9, state: 'completed' } });
    expect((await waited).receivedBytes).toBe(9);
    off();
    send({ method: 'Target.detachedFromTarget', params: { sessionId: 'S1' }, sessionId: 'S1' });
    await new Promise((r) => setTimeout(r, 50));
    expect(all).toEqual(['S1', 'S2', 'S1']);
    expect(s1).toEqual(['S1']);
  });

  it('waitForEvent gives up with ERR_CDP_TIMEOUT', async () => {
    const { client } = await connect(() => undefined);
    const err = await client.waitForEvent('Browser.downloadWillBegin', () => true, 50).catch((e: unknown) => e);
    expect((err as CdpError).code).toBe('ERR_CDP_TIMEOUT');
  });

  it('evaluateInSession returns the value, and turns a throw in the page into ERR_CDP_EVALUATE', async () => {
    const { client } = await connect((req, ws) => {
      const expr = String(req.params.expression);
      const result = expr === 'boom'
        ? { result: { type: 'object' }, exceptionDetails: { text: 'Uncaught', lineNumber: 0, columnNumber: 0, exception: { type: 'object', description: 'Error: boom' } } }
        : { result: { type: 'number', value: 42 } };
      ws.send(JSON.stringify({ id: req.id, result, sessionId: req.sessionId }));
    });
    expect(await evaluateInSession<number>(client, 'S1', '6 * 7')).toBe(42);
    const err = await evaluateInSession(client, 'S1', 'boom').catch((e: unknown) => e);
    expect((err as CdpError).code).toBe('ERR_CDP_EVALUATE');
    expect((err as CdpError).message).toContain('Error: boom');
  });

  it('cannot connect where nothing listens: ERR_CDP_CONNECT', async () => {
    const fake = await fakeBrowser(() => undefined);
    const url = fake.url;
    await new Promise<void>((resolve) => fake.server.close(() => resolve()));
    const err = await RawCdpClient.connect(url, 2_000).catch((e: unknown) => e);
    expect((err as CdpError).code).toBe('ERR_CDP_CONNECT');
  });
});
