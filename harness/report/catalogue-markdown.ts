import { CATALOGUE, TIERS, type CatalogueRow } from './catalogue.js';

const TIER_TITLES: Readonly<Record<string, string>> = {
  NET: 'NET: the network path',
  NAT: 'NAT: real address translation per peer (netns + nft, root)',
  SIG: 'SIG: the signaling server',
  TURN: 'TURN: the relay',
  BRW: 'BRW: browsers and tabs',
  DATA: 'DATA: bytes and storage',
  RES: 'RES: resource limits',
  TIME: 'TIME: clocks and timers',
  SEC: 'SEC: security',
  CAS: 'CAS: cascades',
  MON: 'MON: seeded random schedules',
};

const cell = (s: string) => s.replace(/\|/g, '\\|');
const line = (r: CatalogueRow) => `| ${r.id} | ${r.level} | ${cell(r.fault)} | ${cell(r.expected)} | ${r.faults.length ? r.faults.map((f) => `\`${f}\``).join(', ') : '—'} |`;

/**
 * docs/scenarios.md: the fault catalogue a user's clone ships with (it has no ../shared/),
 * rendered from harness/report/catalogue.ts. `npm run docs:scenarios` writes it;
 * tests/unit/catalogue-markdown.test.ts fails when the file and the data differ.
 */
export function catalogueMarkdown(): string {
  const out = [
    '# The fault catalogue',
    '',
    '<!-- Generated from harness/report/catalogue.ts by `npm run docs:scenarios`; do not edit by hand. -->',
    '',
    'Every row is a scenario ID; each e2e spec and server-side suite is named by the ID it covers.',
    '`npm run chaos -- --audit` shows which rows have a test and a fault here, and `npm run doctor`',
    'which of them this machine can run. Level: 1 one component fails cleanly, 2 several components',
    'or resource limits, 3 corruption, hostile input, crashes during recovery, 4 everything at once;',
    'the report calls an app production ready only when it survives every row up to level 3.',
  ];
  for (const tier of TIERS) {
    const rows = CATALOGUE.filter((r) => r.tier === tier);
    if (rows.length === 0) continue;
    out.push('', `## ${TIER_TITLES[tier] ?? tier}`, '', '| ID | Level | Fault | Expected | Harness faults |', '|---|---|---|---|---|', ...rows.map(line));
  }
  return `${out.join('\n')}\n`;
}
