import { describe, expect, it } from 'vitest';

import { rejectedTurnOptions, turnConfigText, turnPaths } from '../../turn/config.js';

const base = { host: '127.0.0.1', port: 34_780, relayPortRange: [50_000, 50_199] as [number, number], secret: 'abc123', realm: 'test.realm', workDir: '/tmp/turn-x' };

function options(text: string): Map<string, string | true> {
  const entries = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l): [string, string | true] => {
    const eq = l.indexOf('=');
    return eq < 0 ? [l, true] : [l.slice(0, eq), l.slice(eq + 1)];
  });
  return new Map(entries);
}

describe('turnConfigText', () => {
  it('pins coturn to loopback, REST auth, and our work dir', () => {
    const opts = options(turnConfigText(base));
    expect(opts.get('listening-ip')).toBe('127.0.0.1');
    expect(opts.get('relay-ip')).toBe('127.0.0.1');
    expect(opts.get('listening-port')).toBe('34780');
    expect(opts.get('min-port')).toBe('50000');
    expect(opts.get('max-port')).toBe('50199');
    expect(opts.get('use-auth-secret')).toBe(true);
    expect(opts.get('static-auth-secret')).toBe('abc123');
    expect(opts.get('realm')).toBe('test.realm');
    for (const flag of ['allow-loopback-peers', 'no-tls', 'no-dtls', 'no-cli', 'no-multicast-peers', 'fingerprint', 'simple-log', 'no-stdout-log']) {
      expect(opts.get(flag), flag).toBe(true);
    }
    const paths = turnPaths('/tmp/turn-x');
    expect(opts.get('log-file')).toBe(paths.logPath);
    expect(opts.get('pidfile')).toBe(paths.pidPath);
    expect(opts.get('userdb')).toBe(paths.dbPath);
    for (const value of opts.values()) if (typeof value === 'string' && value.startsWith('/')) expect(value.startsWith('/tmp/turn-x/')).toBe(true);
  });

  it('logs to stdout only when asked', () => {
    expect(options(turnConfigText({ ...base, stdoutLog: true })).has('no-stdout-log')).toBe(false);
  });

  it('rejects values coturn would misread, without echoing the secret', () => {
    expect(() => turnConfigText({ ...base, secret: 'has space' })).toThrow(/ERR_CONFIG: secret/);
    expect(() => turnConfigText({ ...base, secret: 'a#b' })).toThrow(/secret/);
    try {
      turnConfigText({ ...base, secret: 'bad\nline' });
    } catch (err) {
      expect(JSON.stringify((err as { context: unknown }).context)).not.toContain('bad');
    }
    expect(() => turnConfigText({ ...base, realm: '' })).toThrow(/realm/);
  });

  it('rejects a relay range that holds the listening port or runs backwards', () => {
    expect(() => turnConfigText({ ...base, relayPortRange: [34_700, 34_800] })).toThrow(/must not contain the listening port/);
    expect(() => turnConfigText({ ...base, relayPortRange: [50_199, 50_000] })).toThrow(/ascending/);
    expect(() => turnConfigText({ ...base, port: 70_000 })).toThrow(/port/);
  });
});

describe('rejectedTurnOptions', () => {
  it('splits the options coturn ignored into ones that matter and cosmetic ones', () => {
    const log = [
      '0: : Bad configuration format: new-log-timestamp',
      '0: : Bad configuration format: allow-loopback-peers',
      '0: : Bad configuration format: allow-loopback-peers',
      '0: : Listener address to use: 127.0.0.1',
    ].join('\n');
    expect(rejectedTurnOptions(log)).toEqual({ essential: ['allow-loopback-peers'], cosmetic: ['new-log-timestamp'] });
    expect(rejectedTurnOptions('all fine')).toEqual({ essential: [], cosmetic: [] });
  });
});
