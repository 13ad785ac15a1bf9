import type http from 'node:http';

import { CHAOS_CONFIG_PATH, CHAOS_KEY_HEADER, MAX_CHAOS_BODY_BYTES } from './chaos-protocol.js';
import { validateChaosConfig, type ChaosEngine } from './chaos.js';
import { secretMatches, type SecretDigest } from './secret.js';

const API_PREFIX = '/api/chaos';

export type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

/** Reads a JSON body of at most MAX_CHAOS_BODY_BYTES; undefined when it was too large (already answered). */
function readBody(req: http.IncomingMessage, reply: Reply): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      bytes += chunk.byteLength;
      if (bytes > MAX_CHAOS_BODY_BYTES) {
        tooLarge = true;
        reply(413, { ok: false, error: `body is over ${MAX_CHAOS_BODY_BYTES} bytes; send only the chaos config` }, { connection: 'close' });
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/**
 * Serves /api/chaos/*. Returns false for any other path. The order of checks hides the API
 * entirely when no key is set (404, as for any unknown path), then demands the key (401).
 */
export function handleChaosRequest(req: http.IncomingMessage, path: string, reply: Reply, keyDigest: SecretDigest | undefined, engine: ChaosEngine): Promise<void> | false {
  if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) return false;
  if (keyDigest === undefined) {
    reply(404, { ok: false, error: 'the chaos API is disabled; start the server with CHAOS_KEY set to enable it' });
    return Promise.resolve();
  }
  const key = req.headers[CHAOS_KEY_HEADER];
  if (typeof key !== 'string' || !secretMatches(keyDigest, key)) {
    reply(401, { ok: false, error: `missing or wrong ${CHAOS_KEY_HEADER} header` });
    return Promise.resolve();
  }
  if (path !== CHAOS_CONFIG_PATH) {
    reply(404, { ok: false, error: `not found; the chaos API is ${CHAOS_CONFIG_PATH}` });
    return Promise.resolve();
  }
  if (req.method === 'GET') {
    reply(200, engine.status());
    return Promise.resolve();
  }
  if (req.method !== 'POST') {
    reply(405, { ok: false, error: 'use GET or POST' }, { allow: 'GET, POST' });
    return Promise.resolve();
  }
  return readBody(req, reply).then((body) => {
    if (body === undefined) return;
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return reply(400, { ok: false, error: 'ERR_CHAOS_CONFIG: body is not valid JSON; send a JSON object such as {"enabled":true,"dropRate":0.1}' });
    }
    const checked = validateChaosConfig(input);
    if (!checked.ok) return reply(400, { ok: false, error: `ERR_CHAOS_CONFIG: ${checked.error}` });
    engine.set(checked.config);
    reply(200, engine.status());
  });
}
