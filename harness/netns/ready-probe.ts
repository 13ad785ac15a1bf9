/**
 * Readiness probe run INSIDE a namespace (the root namespace cannot reach a server listening in
 * the hub); started by ready-in-netns.ts. Tries until the target answers or the deadline passes:
 *
 *   http <url> [--timeout-ms 0]            a GET answered 200 (e.g. signaling's /healthz)
 *   stun <host> <port> [--timeout-ms 0]    a STUN Binding answered over UDP and over TCP (coturn)
 *
 * `--timeout-ms 0` tries once. Exit 0 when ready, 1 when not (the last error on stderr).
 */
import http from 'node:http';

import { stunBinding } from '../../turn/stun-client.js';

const ATTEMPT_TIMEOUT_MS = 1_000;
const RETRY_DELAY_MS = 50;

function httpOk(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // No agent: a fresh connection each time, never a pooled socket from a killed run.
    const req = http.get(url, { agent: false, timeout: ATTEMPT_TIMEOUT_MS }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`${url} answered ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${ATTEMPT_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

async function stunOk(host: string, port: number): Promise<void> {
  await stunBinding(host, port, 'udp', { timeoutMs: ATTEMPT_TIMEOUT_MS });
  await stunBinding(host, port, 'tcp', { timeoutMs: ATTEMPT_TIMEOUT_MS });
}

async function main(argv: string[]): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const i = args.indexOf('--timeout-ms');
  const timeoutMs = i >= 0 ? Number(args[i + 1]) : 0;
  const [mode, a, b] = args;
  const attempt = mode === 'http' ? () => httpOk(a!) : mode === 'stun' ? () => stunOk(a!, Number(b)) : undefined;
  if (!attempt) {
    process.stderr.write(`ready-probe: unknown mode '${mode}' (http <url> | stun <host> <port>)\n`);
    return 2;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await attempt();
      return 0;
    } catch (err) {
      if (Date.now() >= deadline) {
        process.stderr.write(`${String(err)}\n`);
        return 1;
      }
    }
    await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
  }
}

process.exitCode = await main(process.argv.slice(1));
