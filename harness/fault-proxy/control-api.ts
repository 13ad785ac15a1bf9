import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HarnessError } from '../errors.js';
import type { ControlErrorResponse, HealthResponse, ProxyStats, ProxyToxics } from './control-protocol.js';

/**
 * The proxy's HTTP control API (routes in control-protocol.ts), for people with curl and for
 * tests in other processes. It listens on loopback only. Web pages are refused outright (any
 * request with an Origin header): the browsers under test run on this machine, and a page must
 * not be able to heal its own faults. An optional bearer token guards it further.
 */

/** A toxic set is a few hundred bytes; anything bigger is a mistake or an attack. */
export const MAX_CONTROL_BODY_BYTES = 16_384;

export interface ControlTarget {
  readonly toxics: ProxyToxics;
  /** Validates; throws HarnessError ERR_CONFIG on a bad set. */
  setToxics(toxics: unknown): ProxyToxics;
  stats(): ProxyStats;
  health(): HealthResponse;
}

export interface ControlApiOptions {
  host: string;
  port: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
  target: ControlTarget;
}

export interface ControlApi {
  readonly url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(`${JSON.stringify(body)}\n`);
}

function sendError(res: http.ServerResponse, err: unknown): void {
  let body: ControlErrorResponse;
  let status: number;
  if (err instanceof HttpError) {
    status = err.status;
    body = { error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } };
  } else if (err instanceof HarnessError && err.code === 'ERR_CONFIG') {
    status = 400;
    const field = typeof err.context.field === 'string' ? { field: err.context.field } : {};
    // The message without the hint line: the hint has its own field.
    body = { error: { code: err.code, message: err.message.split('\n')[0]!, hint: err.hint, ...field } };
  } else {
    status = 500;
    body = { error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
  }
  send(res, status, body);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CONTROL_BODY_BYTES) throw new HttpError(413, 'body_too_large', `request body is over ${MAX_CONTROL_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HarnessError('ERR_CONFIG', `invalid toxics: the body is not JSON (${(err as Error).message})`, {
      context: { body: text.slice(0, 200) },
      hint: `Send a JSON object, e.g. curl -X POST -H 'content-type: application/json' -d '{"lossPercent":5}' <control>/toxics`,
    });
  }
}

type Route = (req: http.IncomingMessage) => Promise<unknown>;

function routes(target: ControlTarget): Record<string, Partial<Record<'GET' | 'POST', Route>>> {
  return {
    '/healthz': { GET: async () => target.health() },
    '/toxics': {
      GET: async () => target.toxics,
      POST: async (req) => target.setToxics(await readJson(req)),
    },
    '/reset': { POST: async () => target.setToxics({}) },
    '/stats': { GET: async () => target.stats() },
  };
}

function authorize(req: http.IncomingMessage, token: string | undefined): void {
  if (req.headers.origin !== undefined) {
    throw new HttpError(403, 'forbidden', 'requests from web pages (with an Origin header) are refused', 'Drive the proxy from Node or curl, not from a page.');
  }
  if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
    throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token', 'Send Authorization: Bearer <token> (the token the proxy was started with).');
  }
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, table: ReturnType<typeof routes>, token: string | undefined): Promise<void> {
  try {
    authorize(req, token);
    const path = new URL(req.url ?? '/', 'http://control').pathname;
    const methods = table[path];
    if (!methods) throw new HttpError(404, 'not_found', `no route ${path}`, `Routes: ${Object.keys(table).join(', ')}`);
    const route = methods[req.method as 'GET' | 'POST'];
    if (!route) {
      res.setHeader('allow', Object.keys(methods).join(', '));
      throw new HttpError(405, 'method_not_allowed', `${req.method} ${path} is not supported; use ${Object.keys(methods).join(' or ')}`);
    }
    send(res, 200, await route(req));
  } catch (err) {
    sendError(res, err);
  }
}

export async function startControlApi(opts: ControlApiOptions): Promise<ControlApi> {
  if (!LOOPBACK_HOSTS.has(opts.host)) {
    throw new HarnessError('ERR_CONFIG', `the fault proxy control API listens on loopback only, not ${opts.host}`, {
      context: { host: opts.host },
      hint: 'Use 127.0.0.1 or ::1: anyone who reaches it can turn the faults off.',
    });
  }
  const table = routes(opts.target);
  const server = http.createServer((req, res) => void handle(req, res, table, opts.token));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new HarnessError('ERR_CONFIG', `fault proxy control API cannot listen on ${opts.host}:${opts.port}: ${err.code ?? err.message}`, {
        context: { host: opts.host, port: opts.port },
        hint: 'Pick another control port, or 0 for any free one.',
        cause: err,
      }));
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
