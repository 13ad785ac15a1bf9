import dgram from 'node:dgram';
import net from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { MAX_CONTROL_BODY_BYTES } from '../../harness/fault-proxy/control-api.js';
import type { ControlErrorResponse, HealthResponse, ProxyStats, ProxyToxics } from '../../harness/fault-proxy/control-protocol.js';
import { startFaultProxy, type FaultProxy, type FaultProxyOptions } from '../../harness/fault-proxy/proxy.js';

// The control API over real HTTP on loopback. No traffic goes upstream here, so the upstream is
// just a port number; the relay tests cover forwarding.

const HOST = '127.0.0.1';
const UNUSED_UPSTREAM_PORT = 9;

const proxies: FaultProxy[] = [];
const holders: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await Promise.all(holders.splice(0).map((close) => close()));
});

async function start(opts: Partial<FaultProxyOptions> = {}): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ listenHost: HOST, upstreamHost: HOST, upstreamPort: UNUSED_UPSTREAM_PORT, ...opts });
  proxies.push(proxy);
  return proxy;
}

async function call(proxy: FaultProxy, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`${proxy.controlUrl}${path}`, { method, body, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

async function startError(opts: Partial<FaultProxyOptions>): Promise<HarnessError> {
  const err = await start(opts).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HarnessError);
  return err as HarnessError;
}

describe('fault proxy control API', () => {
  it('GET /healthz says where it listens and forwards', async () => {
    const proxy = await start();
    expect(proxy.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { status, json } = await call(proxy, 'GET', '/healthz');
    expect(status).toBe(200);
    expect(json).toEqual({ ok: true, listen: { host: HOST, port: proxy.port }, upstream: { host: HOST, port: UNUSED_UPSTREAM_PORT } } satisfies HealthResponse);
  });

  it('GET and POST /toxics read and replace the whole set; POST /reset clears it', async () => {
    const proxy = await start({ toxics: { delayMs: 5 } });
    expect((await call(proxy, 'GET', '/toxics')).json).toEqual({ delayMs: 5 });

    const set: ProxyToxics = { lossPercent: 5, rateKbps: 2_000 };
    const posted = await call(proxy, 'POST', '/toxics', JSON.stringify(set));
    expect(posted).toMatchObject({ status: 200, json: set });
    expect((await call(proxy, 'GET', '/toxics')).json).toEqual(set); // delayMs is gone: replace, not merge
    expect(proxy.toxics).toEqual(set);

    expect((await call(proxy, 'POST', '/reset')).json).toEqual({});
    expect(proxy.toxics).toEqual({});
  });

  it('does not keep the one-shot resetTcp in the active set', async () => {
    const proxy = await start();
    expect((await call(proxy, 'POST', '/toxics', '{"resetTcp":true,"jitterMs":3}')).json).toEqual({ jitterMs: 3 });
  });

  it.each([
    ['{"lossPercent":150}', 'lossPercent', /lossPercent must be a number from 0 to 100, got 150/],
    ['{"latencyMs":100}', 'latencyMs', /unknown toxic 'latencyMs'/],
    ['{"rateKbps":0}', 'rateKbps', /rateKbps must be a number above 0/],
    ['{"blockUdp":1}', 'blockUdp', /blockUdp must be true or false/],
    ['[]', undefined, /expected a JSON object of toxics, got an array/],
    ['lossPercent=5', undefined, /the body is not JSON/],
  ])('answers 400 to %s and leaves the toxics alone', async (body, field, message) => {
    const proxy = await start({ toxics: { delayMs: 7 } });
    const { status, json } = await call(proxy, 'POST', '/toxics', body);
    expect(status).toBe(400);
    const { error } = json as ControlErrorResponse;
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
    expect(error.field).toBe(field);
    expect(error.hint).toBeTruthy();
    expect(proxy.toxics).toEqual({ delayMs: 7 });
  });

  it('GET /stats returns the counters', async () => {
    const proxy = await start();
    const stats = (await call(proxy, 'GET', '/stats')).json as ProxyStats;
    expect(stats).toMatchObject({ udpSessions: 0, udpPacketsIn: 0, udpPacketsDropped: 0, tcpConnectionsOpen: 0, tcpBytes: 0, queuedBytes: 0 });
    expect(stats.udpDrops).toEqual({ blocked: 0, loss: 0, rateLimit: 0, queueFull: 0, sessionLimit: 0 });
    expect(stats.queuedBytesLimit).toBeGreaterThan(0);
  });

  it('answers 404, 405 (with Allow) and 413 with a JSON error', async () => {
    const proxy = await start();
    expect(await call(proxy, 'GET', '/nope')).toMatchObject({ status: 404, json: { error: { code: 'not_found' } } });
    const wrongMethod = await call(proxy, 'DELETE', '/toxics');
    expect(wrongMethod).toMatchObject({ status: 405, json: { error: { code: 'method_not_allowed' } } });
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
    const huge = JSON.stringify({ delayMs: 1, pad: 'x'.repeat(MAX_CONTROL_BODY_BYTES) });
    expect(await call(proxy, 'POST', '/toxics', huge)).toMatchObject({ status: 413, json: { error: { code: 'body_too_large' } } });
  });

  it('refuses requests from web pages (Origin header)', async () => {
    const proxy = await start();
    const res = await call(proxy, 'POST', '/reset', undefined, { origin: 'http://127.0.0.1:8080' });
    expect(res).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } });
  });

  it('wants the bearer token when started with one', async () => {
    const proxy = await start({ controlToken: 's3cret' });
    expect((await call(proxy, 'GET', '/toxics')).status).toBe(401);
    expect((await call(proxy, 'GET', '/toxics', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call(proxy, 'GET', '/toxics', undefined, { authorization: 'Bearer s3cret' })).status).toBe(200);
  });
});

describe('startFaultProxy refuses bad options with ERR_CONFIG', () => {
  it('a control API off loopback', async () => {
    const err = await startError({ controlHost: '0.0.0.0' });
    expect(err.code).toBe('ERR_CONFIG');
    expect(err.message).toMatch(/loopback only/);
  });

  it('bad initial toxics, before binding anything', async () => {
    const err = await startError({ toxics: { lossPercent: 101 } });
    expect(err.context.field).toBe('lossPercent');
  });

  it('a listen port taken over UDP, naming the transport', async () => {
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, HOST, resolve));
    holders.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const err = await startError({ listenPort: holder.address().port });
    expect(err.message).toMatch(/udp already in use/);
    expect(err.hint).toMatch(/0 for any free one/);
  });

  it('a control port that is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, HOST, resolve));
    holders.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const err = await startError({ controlPort: (holder.address() as net.AddressInfo).port });
    expect(err.message).toMatch(/control API cannot listen .* EADDRINUSE/);
  });

  it.each([
    [{ listenPort: 70_000 }, /listenPort must be an integer from 0 to 65535/],
    [{ upstreamPort: 0 }, /upstreamPort must be an integer from 1/],
    [{ maxQueuedBytes: -1 }, /maxQueuedBytes must be a positive number/],
  ])('%j', async (opts, message) => {
    expect((await startError(opts)).message).toMatch(message);
  });
});
