import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../signaling/config.js';
import { DEFAULT_LIMITS } from '../../signaling/limits.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signaling-config-'));
const KEY = 'config-test-key-0123456789';

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

function configError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    loadConfig(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(argv)}`);
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('defaults to loopback, port 8787, no chaos key, the default limits', () => {
    expect(loadConfig([], {})).toEqual({ host: '127.0.0.1', port: 8787, heartbeatMs: 10_000, limits: DEFAULT_LIMITS });
  });

  it('layers defaults < config file < CHAOS_KEY env < flags', () => {
    const p = file(
      'good.json',
      JSON.stringify({
        host: '127.0.0.2',
        port: 9000,
        heartbeatMs: 5000,
        chaosKey: `file-${KEY}`,
        limits: { messagesPerSecond: 10, maxRooms: 7 },
        chaos: { enabled: true, dropRate: 0.5, includeRooms: ['a*'] },
      }),
    );
    const config = loadConfig(['--config', p, '--port=9001', '--max-rooms', '8'], { CHAOS_KEY: `env-${KEY}` });
    expect(config).toEqual({
      host: '127.0.0.2',
      port: 9001,
      heartbeatMs: 5000,
      chaosKey: `env-${KEY}`,
      limits: { ...DEFAULT_LIMITS, messagesPerSecond: 10, maxRooms: 8 },
      chaos: { enabled: true, dropRate: 0.5, disconnectRate: 0, minLatencyMs: 0, maxLatencyMs: 0, includeRooms: ['a*'] },
    });
    expect(loadConfig(['--config', p, '--chaos-key', `flag-${KEY}`], { CHAOS_KEY: `env-${KEY}` }).chaosKey).toBe(`flag-${KEY}`);
    expect(loadConfig(['--config', p], {}).chaosKey).toBe(`file-${KEY}`);
  });

  it.each([
    ['corrupt.json', '{"port": 8787,', 'not valid JSON ('],
    ['empty.json', '', 'not valid JSON ('],
    ['array.json', '[]', 'must hold a JSON object — e.g. {"port": 8787}'],
    ['typo.json', '{"prot": 1}', "'prot' is not a setting — use one of host, port"],
    ['port.json', '{"port": "8787"}', 'port must be an integer from 0 to 65535, got "8787" — fix or remove it'],
    ['port2.json', '{"port": 70000}', 'port must be an integer from 0 to 65535, got 70000'],
    ['hb.json', '{"heartbeatMs": 0}', 'heartbeatMs must be an integer from 1'],
    ['host.json', '{"host": ""}', 'host must be a non-empty string'],
    ['limit.json', '{"limits": {"messagesPerSecond": -1}}', 'limits.messagesPerSecond must be an integer from 1 to 2147483647, got -1 — fix or remove it (default 50)'],
    ['limit2.json', '{"limits": {"msgPerSec": 5}}', 'limits.msgPerSec is not a limit — use one of maxFrameBytes'],
    ['limit3.json', '{"limits": {"maxFrameBytes": 100}}', 'limits.maxFrameBytes must be an integer from 1024'],
    ['limit4.json', '{"limits": []}', 'limits must be a JSON object'],
    ['chaos.json', '{"chaos": {"dropRate": 2}}', 'chaos.dropRate must be a number from 0 to 1, got 2 — fix it'],
    ['chaos2.json', '{"chaos": {"enabled": true, "lossRate": 0.1}}', 'chaos.lossRate is not a chaos setting'],
    ['key.json', '{"chaosKey": "short"}', 'chaosKey must be at least 16 characters — use a long random string'],
  ])('refuses %s with one line naming the file, the problem and the fix', (name, text, message) => {
    const p = file(name, text);
    const line = configError(['--config', p]);
    expect(line.startsWith(`${p}: `)).toBe(true);
    expect(line).toContain(message);
    expect(line).toContain(' — ');
    expect(line).not.toContain('\n');
  });

  it('refuses a missing file, bad flags and a short key from the environment', () => {
    expect(configError(['--config', path.join(dir, 'nope.json')])).toContain('nope.json: cannot read it (ENOENT) — check the path given to --config');
    expect(configError(['--messages-per-second', '0'])).toContain('--messages-per-second must be between 1 and');
    expect(configError(['--messages-per-second', 'lots'])).toContain("--messages-per-second must be an integer, got 'lots'");
    expect(configError(['--chaos-key', 'abc'])).toContain('--chaos-key must be at least 16 characters');
    expect(configError([], { CHAOS_KEY: 'abc' })).toContain('CHAOS_KEY must be at least 16 characters');
    expect(configError(['--config'])).toContain('--config needs a value');
  });
});
