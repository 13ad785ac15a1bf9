import { runIn } from './exec.js';

/**
 * nft rulesets are replaced whole, in one transaction: `table X {}` (a no-op when it exists),
 * `delete table X`, then the new table. A reader never sees half a ruleset, applying the same
 * state twice is harmless, and an empty rule list leaves no table behind at all.
 */

/** Before conntrack, routing and every other hook: a dropped packet never existed for this namespace. */
const INGRESS_PRIORITY = -500;

export type NftFamily = 'netdev' | 'inet';

export interface NftChain {
  name: string;
  /** e.g. `type filter hook ingress device "wan0" priority -500; policy accept;` */
  hook: string;
  rules: string[];
}

export function ingressHook(device: string): string {
  return `type filter hook ingress device "${device}" priority ${INGRESS_PRIORITY}; policy accept;`;
}

export function forwardHook(): string {
  return 'type filter hook forward priority filter; policy accept;';
}

export function replaceTableScript(family: NftFamily, table: string, chains: NftChain[]): string {
  const lines = [`table ${family} ${table} {}`, `delete table ${family} ${table}`];
  const used = chains.filter((c) => c.rules.length > 0);
  if (used.length > 0) {
    lines.push(`table ${family} ${table} {`);
    for (const chain of used) {
      lines.push(`  chain ${chain.name} {`, `    ${chain.hook}`, ...chain.rules.map((r) => `    ${r}`), '  }');
    }
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

/** Replaces table `table` in namespace `ns` with `chains` (nothing when every chain is empty). */
export async function replaceTable(ns: string, family: NftFamily, table: string, chains: NftChain[]): Promise<void> {
  await runIn(ns, 'nft', ['-f', '-'], {
    input: replaceTableScript(family, table, chains),
    hint: 'The ruleset is in this error\'s context (input); `nft -c -f file` checks it. nftables 0.9+ and a kernel with nf_tables are needed.',
  });
}

export async function listTables(ns: string): Promise<string[]> {
  const { stdout } = await runIn(ns, 'nft', ['list', 'tables']);
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** Sum of the `counter` statements in a table: packets and bytes they matched (0 when the table is gone). */
export async function readCounters(ns: string, family: NftFamily, table: string): Promise<{ packets: number; bytes: number }> {
  const { stdout } = await runIn(ns, 'nft', ['list', 'table', family, table], {
    hint: 'The table should exist while its rules are applied; `nft list tables` in the namespace shows what is there.',
  });
  return sumCounters(stdout);
}

/** Parses `counter packets N bytes M` out of `nft list` output. */
export function sumCounters(listing: string): { packets: number; bytes: number } {
  let packets = 0;
  let bytes = 0;
  for (const m of listing.matchAll(/counter packets (\d+) bytes (\d+)/g)) {
    packets += Number(m[1]);
    bytes += Number(m[2]);
  }
  return { packets, bytes };
}
