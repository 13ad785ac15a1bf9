import { CHAOS_CONFIG_PATH, CHAOS_KEY_HEADER, type ChaosConfig, type ChaosConfigInput } from '../../signaling/chaos-protocol.js';
import { validateChaosConfig } from '../../signaling/chaos.js';
import { HarnessError } from '../errors.js';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface SignalingChaosParams {
  /** Probability (0..1), per relayed signal, of dropping it. */
  dropRate: number;
  /** Probability (0..1), per relayed signal, of cutting the sender's socket instead. */
  disconnectRate: number;
  /** Added delay per relayed signal, uniform in [min, max]; never reorders one receiver's signals. */
  minLatencyMs: number;
  maxLatencyMs: number;
  /** Room globs (`*`, `?`) to apply to; absent means every room. */
  rooms?: string[];
}

export interface SignalingChaosContext {
  /** The signaling server's http://host:port. */
  httpUrl: string;
  /** The key it was started with (launchSignaling's `chaosKey`). */
  chaosKey: string;
}

/** A loopback POST that takes longer than this is a hung server. */
const REQUEST_TIMEOUT_MS = 5_000;

function refused(err: unknown): boolean {
  return err instanceof Error && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';
}

/** Resolves to false when nothing listens at `httpUrl` and `downIsFine`; throws on any other failure. */
async function postConfig(ctx: SignalingChaosContext, config: ChaosConfigInput, what: string, downIsFine = false): Promise<boolean> {
  const url = `${ctx.httpUrl}${CHAOS_CONFIG_PATH}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CHAOS_KEY_HEADER]: ctx.chaosKey },
      body: JSON.stringify(config),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    if (downIsFine && refused(err)) return false;
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    throw new HarnessError(timedOut ? 'ERR_TIMEOUT' : 'ERR_CONFIG', `signaling-chaos could not ${what}: POST ${url} ${timedOut ? `took over ${REQUEST_TIMEOUT_MS} ms` : 'failed'}`, {
      hint: 'is the signaling server running? (a kill-signaling fault may have it down)',
      cause: err,
    });
  }
  if (res.ok) {
    await res.body?.cancel();
    return true;
  }
  const body = await res.text();
  const hint =
    res.status === 404
      ? 'the chaos API is off: start signaling with a key (launchSignaling({ chaosKey }) or env CHAOS_KEY)'
      : res.status === 401
        ? 'ctx.chaosKey is not the key the server was started with'
        : 'see the server’s answer above';
  throw new HarnessError('ERR_CONFIG', `signaling-chaos could not ${what}: POST ${url} answered ${res.status}: ${body.slice(0, 300)}`, { hint, context: { status: res.status } });
}

/**
 * Server-side chaos on the signaling relay: drops, delays and disconnects applied to relayed
 * `signal` messages. The server holds one chaos config, so one such fault at a time: a second
 * inject replaces the first, and heal turns chaos off entirely.
 */
export const signalingChaos = registerFault<SignalingChaosParams, SignalingChaosContext>({
  name: 'signaling-chaos',
  summary: 'drops, delays or cuts relayed signaling messages inside the signaling server (its chaos API)',
  needs: {},
  create(params, ctx): Fault<SignalingChaosParams> {
    const input: ChaosConfigInput = {
      enabled: true,
      dropRate: params.dropRate,
      disconnectRate: params.disconnectRate,
      minLatencyMs: params.minLatencyMs,
      maxLatencyMs: params.maxLatencyMs,
    };
    if (params.rooms !== undefined) input.includeRooms = params.rooms;
    // Checked now, so a bad experiment fails when it is built, not halfway through a transfer.
    const checked = validateChaosConfig(input);
    if (!checked.ok) throw new HarnessError('ERR_CONFIG', `signaling-chaos: ${checked.error.replace('includeRooms', 'rooms')}`, { hint: 'fix the fault’s params' });
    const config: ChaosConfig = checked.config;
    let injected = false;
    return {
      name: 'signaling-chaos',
      params,
      async inject() {
        injected = true; // before the request: if it half-happened, heal() must still turn it off
        await postConfig(ctx, config, 'turn chaos on');
      },
      async heal() {
        if (!injected) return;
        // A server that is down (another fault killed it) holds no chaos: chaos lives in its
        // memory only, and a restart begins with it off (unless its config file turns it on).
        await postConfig(ctx, { enabled: false }, 'turn chaos off', true);
        injected = false;
      },
    };
  },
});
