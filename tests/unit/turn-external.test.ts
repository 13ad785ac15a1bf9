import { describe, expect, it } from 'vitest';

import { HarnessError } from '../../harness/errors.js';
import { DEFAULT_TURN_REALM } from '../../turn/config.js';
import { externalTurnFromEnv, parseTurnUrl } from '../../turn/external.js';

function configError(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HarnessError);
    expect((err as HarnessError).code).toBe('ERR_CONFIG');
    return err as HarnessError;
  }
  throw new Error('expected ERR_CONFIG');
}

describe('externalTurnFromEnv', () => {
  it('is undefined when neither variable is set', () => {
    expect(externalTurnFromEnv({})).toBeUndefined();
  });

  it('describes the server from TURN_URL, TURN_SECRET and TURN_REALM', () => {
    const turn = externalTurnFromEnv({ TURN_URL: 'turn:127.0.0.1:3478', TURN_SECRET: 'sek', TURN_REALM: 'r.example' })!;
    expect(turn).toMatchObject({ managed: false, host: '127.0.0.1', port: 3478, secret: 'sek', realm: 'r.example' });
    expect(turn.urls).toEqual({ udp: 'turn:127.0.0.1:3478?transport=udp', tcp: 'turn:127.0.0.1:3478?transport=tcp', stun: 'stun:127.0.0.1:3478' });
    const [relay] = turn.iceServers('alice', 60);
    expect(relay!.username).toMatch(/^\d+:alice$/);
  });

  it('defaults the realm and the port', () => {
    const turn = externalTurnFromEnv({ TURN_URL: 'turn:localhost', TURN_SECRET: 'sek' })!;
    expect(turn.realm).toBe(DEFAULT_TURN_REALM);
    expect(turn.port).toBe(3478);
  });

  it('refuses to kill or restart, and stop/dispose do nothing', async () => {
    const turn = externalTurnFromEnv({ TURN_URL: 'turn:127.0.0.1:3478', TURN_SECRET: 'sek' })!;
    await expect(turn.kill()).rejects.toThrow(/ERR_CONFIG: cannot kill an external TURN server/);
    await expect(turn.restart()).rejects.toMatchObject({ code: 'ERR_CONFIG' });
    await expect(turn.stop()).resolves.toBeUndefined();
    await expect(turn.dispose()).resolves.toBeUndefined();
  });

  it('names the missing or invalid variable', () => {
    expect(configError(() => externalTurnFromEnv({ TURN_URL: 'turn:127.0.0.1:3478' })).message).toMatch(/TURN_SECRET/);
    expect(configError(() => externalTurnFromEnv({ TURN_SECRET: 'x' })).message).toMatch(/TURN_URL/);
    for (const bad of ['http://127.0.0.1:3478', '127.0.0.1:3478', 'turn:', 'turn:127.0.0.1:99999', 'turn:[zz]:3478', 'turns:127.0.0.1:5349']) {
      const err = configError(() => externalTurnFromEnv({ TURN_URL: bad, TURN_SECRET: 'x' }));
      expect(err.message).toContain('TURN_URL');
      expect(err.hint).toMatch(/TURN_URL=turn:/);
    }
  });
});

describe('parseTurnUrl', () => {
  it('accepts IPv6 literals and a transport suffix', () => {
    expect(parseTurnUrl('turn:[::1]:3479')).toEqual({ host: '::1', port: 3479 });
    expect(parseTurnUrl('turn:127.0.0.1:3478?transport=tcp')).toEqual({ host: '127.0.0.1', port: 3478 });
  });
});
