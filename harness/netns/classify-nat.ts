import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { NatFiltering, NatMapping } from '../../turn/nat-behaviour.js';
import { HarnessError } from '../errors.js';
import { DEFAULT_ALLOWED_TCP_PORTS, type NatType } from './nat-router.js';
import type { NatProbeResult, TcpReach } from './nat-probe.js';
import { nodeScriptInNetns } from './node-in-netns.js';
import type { PeerNode } from './topology.js';

/**
 * Classifies a peer's NAT for real: nat-probe.ts runs the RFC 5780 tests from inside the peer's
 * namespace against a STUN server with an alternate address (coturn started with `alternateHost`).
 */

const PROBE_PATH = fileURLToPath(new URL('./nat-probe.ts', import.meta.url));
/** Node's start in the namespace plus the tests, whose "no answer" each costs the answer timeout. */
const PROBE_DEADLINE_MS = 30_000;
const ANSWER_TIMEOUT_MS = 1_500;

export interface NatServerAddress {
  host: string;
  port: number;
}

export interface NatClassification {
  mapping: NatMapping | 'unknown';
  filtering: NatFiltering;
  behindNat: boolean;
  /** Test I's mapped address as `ip:port` (absent when UDP is blocked). */
  mapped: string | undefined;
  /** The local UDP port test I was sent from. */
  localPort: number | undefined;
  tcp: NatProbeResult['tcp'];
}

export async function classifyNat(peer: PeerNode, server: NatServerAddress, tcpTargets: NatServerAddress[] = []): Promise<NatClassification> {
  const args = [server.host, String(server.port), '--local', peer.address, '--timeout-ms', String(ANSWER_TIMEOUT_MS), ...tcpTargets.flatMap((t) => ['--tcp', `${t.host}:${t.port}`])];
  const line = nodeScriptInNetns(peer.ns, PROBE_PATH, args);
  const child = spawn(line.command, line.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // Our own child, by its PID (`ip netns exec` exec'd into node).
  const killer = setTimeout(() => child.kill('SIGKILL'), PROBE_DEADLINE_MS);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  }).finally(() => clearTimeout(killer));
  if (code !== 0) {
    throw new HarnessError('ERR_PROCESS_EXITED', `nat-probe in ${peer.ns} against ${server.host}:${server.port} failed (exit ${code}): ${stderr.trim() || '(no output)'}`, {
      context: { peer: peer.name, ns: peer.ns, server, stderr },
      hint: `Run \`ip netns exec ${peer.ns} node --import tsx harness/netns/nat-probe.ts ${server.host} ${server.port}\` from the repo root to see it live.`,
    });
  }
  const result = JSON.parse(stdout) as NatProbeResult;
  const { behaviour } = result;
  return {
    mapping: behaviour.mapping,
    filtering: behaviour.filtering,
    behindNat: behaviour.behindNat,
    mapped: behaviour.mapped && `${behaviour.mapped.address}:${behaviour.mapped.port}`,
    localPort: behaviour.local?.port,
    tcp: result.tcp,
  };
}

/** What RFC 5780 must find behind each type (measured: NAT.md). */
export interface NatExpectation {
  mapping: NatMapping | 'unknown';
  filtering: NatFiltering;
  behindNat: boolean;
}

export const EXPECTED_NAT: Readonly<Record<NatType, NatExpectation>> = {
  'none': { mapping: 'endpoint-independent', filtering: 'endpoint-independent', behindNat: false },
  'full-cone': { mapping: 'endpoint-independent', filtering: 'endpoint-independent', behindNat: true },
  'port-restricted': { mapping: 'endpoint-independent', filtering: 'address-and-port-dependent', behindNat: true },
  'symmetric': { mapping: 'address-and-port-dependent', filtering: 'address-and-port-dependent', behindNat: true },
  'udp-blocked': { mapping: 'unknown', filtering: 'udp-blocked', behindNat: true },
};

export interface NatCheckOptions {
  /** udp-blocked: a TCP port the firewall lets out (default 443); a connect there must not be filtered. */
  allowedTcpPort?: number;
}

/** The TCP targets the check of `type` needs: for udp-blocked, one allowed port and the STUN server's (not allowed). */
export function tcpTargetsFor(type: NatType, server: NatServerAddress, opts: NatCheckOptions = {}): NatServerAddress[] {
  return type === 'udp-blocked' ? [{ host: server.host, port: opts.allowedTcpPort ?? DEFAULT_ALLOWED_TCP_PORTS[0]! }, server] : [];
}

/** Why `found` is not `claimed`, or undefined when it is. */
export function natMismatch(claimed: NatType, found: NatClassification): string | undefined {
  const want = EXPECTED_NAT[claimed];
  const diffs: string[] = [];
  if (found.mapping !== want.mapping) diffs.push(`mapping ${found.mapping} (want ${want.mapping})`);
  if (found.filtering !== want.filtering) diffs.push(`filtering ${found.filtering} (want ${want.filtering})`);
  if (found.behindNat !== want.behindNat) diffs.push(want.behindNat ? `no NAT: mapped address ${found.mapped} is the peer's own` : `a NAT (mapped ${found.mapped})`);
  if (claimed === 'udp-blocked') {
    const [allowed, stun] = found.tcp as Array<{ port: number; reach: TcpReach } | undefined>;
    if (!allowed || allowed.reach === 'filtered') diffs.push(`TCP to the allowed port ${allowed?.port} was ${allowed?.reach ?? 'not tried'} (want open or refused)`);
    if (!stun || stun.reach !== 'filtered') diffs.push(`TCP to ${stun?.port} was ${stun?.reach ?? 'not tried'} (want filtered)`);
  }
  return diffs.length > 0 ? diffs.join('; ') : undefined;
}

/** Classifies `peer` and throws ERR_NAT_MISMATCH unless it is the type its topology claims. */
export async function checkPeerNat(peer: PeerNode, server: NatServerAddress, opts: NatCheckOptions = {}): Promise<NatClassification> {
  const found = await classifyNat(peer, server, tcpTargetsFor(peer.nat, server, opts));
  const why = natMismatch(peer.nat, found);
  if (why) {
    throw new HarnessError('ERR_NAT_MISMATCH', `peer '${peer.name}' should be behind a ${peer.nat} NAT, but RFC 5780 tests from its namespace found ${why}`, {
      context: { peer: peer.name, claimed: peer.nat, expected: EXPECTED_NAT[peer.nat], found },
      hint: `The router's rules do not do what ${peer.nat} means on this kernel: \`ip netns exec ${peer.routerNs ?? peer.ns} nft list ruleset\` shows them; harness/netns/NAT.md says what each type must measure. The scenario would test the wrong network, so it stops here.`,
    });
  }
  return found;
}
