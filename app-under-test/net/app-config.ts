import type { RecoveryStrategy } from '../config.js';
import { AppError } from '../errors.js';
import type { AppConfigResponse } from '../server/config-protocol.js';

export interface PageOptions {
  /** `?policy=relay` forces relay-only ICE; default: what the server says. */
  iceTransportPolicy: 'all' | 'relay' | undefined;
  /** `?chunk=65536` sets the chunk payload size in bytes. */
  chunkSizeBytes: number | undefined;
  /** `?signal=ws://…` overrides the signaling URL. */
  signalingUrl: string | undefined;
  /** `?recovery=new-peer` or `?recovery=ice-restart`: how a dead path is recovered; default config.ts. */
  recovery: RecoveryStrategy | undefined;
}

export function readPageOptions(search: string): PageOptions {
  const q = new URLSearchParams(search);
  const policy = q.get('policy');
  const chunk = q.get('chunk');
  const recovery = q.get('recovery');
  return {
    iceTransportPolicy: policy === 'relay' || policy === 'all' ? policy : undefined,
    chunkSizeBytes: chunk && /^\d+$/.test(chunk) ? Number(chunk) : undefined,
    signalingUrl: q.get('signal') ?? undefined,
    recovery: recovery === 'ice-restart' || recovery === 'new-peer' ? recovery : undefined,
  };
}

/** Fetched for every new peer connection, so TURN credentials are always fresh. */
export async function fetchAppConfig(options: PageOptions): Promise<AppConfigResponse> {
  let res: Response;
  try {
    res = await fetch('./api/config', { cache: 'no-store' });
  } catch (err) {
    throw new AppError('ERR_CONFIG', `cannot reach the app server for the ICE config (${String(err)})`, 'Check that the page’s server is running.');
  }
  if (!res.ok) throw new AppError('ERR_CONFIG', `the app server answered ${res.status} for /api/config`);
  const config = (await res.json()) as AppConfigResponse;
  return {
    ...config,
    signalingUrl: options.signalingUrl ?? config.signalingUrl,
    iceTransportPolicy: options.iceTransportPolicy ?? config.iceTransportPolicy,
  };
}
