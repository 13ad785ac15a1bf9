import { spawnSync } from 'node:child_process';
import { browserUnavailable, resolveBrowser, type BrowserEngine } from '../browser/engine.js';
import { registeredFaults } from '../faults/all.js';
import { missingNeeds, onPath } from '../faults/needs.js';
import { cpuControllerMissing } from '../process/cpu-cgroup.js';
import { CATALOGUE } from '../report/catalogue.js';
import { resolveTurnRuntime } from '../../turn/launcher.js';

/** One thing the harness may need from this machine, and whether it is here. */
export interface MachineFact {
  what: string;
  ok: boolean;
  /** A version or path when present; what to install when not. */
  detail: string;
}

/** One catalogue row on one engine pair: runs, or skips with the reason the suite will print. */
export interface RowOutlook {
  id: string;
  pair: string;
  /**
   * `runs`: every fault the row uses can act here; `partly`: some can (a row's faults are often
   * alternative variants — NET-1 on the fault proxy or on netns — so its other tests still run);
   * `skips`: none can, or the pair's browser is missing.
   */
  status: 'runs' | 'partly' | 'skips';
  /** Why, per fault (or browser) that cannot act here: what the skipped tests print. */
  reasons: string[];
  /** The row injects nothing through the fault registry (server-side suite, or no test yet). */
  noFault: boolean;
}

export interface Diagnosis {
  facts: MachineFact[];
  rows: RowOutlook[];
}

const PAIRS: ReadonlyArray<{ name: string; engines: BrowserEngine[] }> = [
  { name: 'chromium→chromium', engines: ['chromium'] },
  { name: 'chromium→firefox', engines: ['chromium', 'firefox'] },
  { name: 'firefox→firefox', engines: ['firefox'] },
];
const VERSION_TIMEOUT_MS = 15_000;

function versionOf(binary: string, args: string[]): string {
  const r = spawnSync(binary, args, { encoding: 'utf8', timeout: VERSION_TIMEOUT_MS });
  return (r.stdout || r.stderr || '').split('\n').find((l) => /\d+\.\d+/.test(l))?.trim() ?? 'version unknown';
}

function browserFact(engine: BrowserEngine, env: NodeJS.ProcessEnv): MachineFact {
  const missing = browserUnavailable(engine, env);
  if (missing) return { what: engine, ok: false, detail: missing };
  const b = resolveBrowser(engine, env);
  // undefined: Playwright's own build, which it finds itself.
  if (b.executablePath === undefined) return { what: engine, ok: true, detail: `Playwright's own ${engine}` };
  return { what: engine, ok: true, detail: `${versionOf(b.executablePath, ['--version'])} (${b.executablePath}, from ${b.source})` };
}

function turnFact(env: NodeJS.ProcessEnv): MachineFact {
  if (env.TURN_URL) return { what: 'coturn', ok: true, detail: `external at ${env.TURN_URL} (TURN_URL): TURN-1 and CAS-1 cannot kill it` };
  try {
    const rt = resolveTurnRuntime(undefined, env);
    return { what: 'coturn', ok: true, detail: rt.kind === 'native' ? `${versionOf(rt.binary, ['--version'])} (${rt.binary})` : 'Docker image (no turnserver on PATH; the Docker daemon answers)' };
  } catch (e) {
    return { what: 'coturn', ok: false, detail: (e as Error).message.replace(/\n\s*/g, ' ') };
  }
}

const TOOLS: ReadonlyArray<[string, string]> = [
  ['nft', 'nftables'],
  ['tc', 'iproute2'],
  ['ip', 'iproute2'],
  ['conntrack', 'conntrack'],
];

/** What this machine has and lacks, and which catalogue rows will therefore skip on which pair. */
export function diagnose(env: NodeJS.ProcessEnv = process.env): Diagnosis {
  const root = process.getuid?.() === 0;
  const linux = process.platform === 'linux';
  const cgroup = cpuControllerMissing();
  const facts: MachineFact[] = [
    { what: 'node', ok: true, detail: process.version },
    { what: 'root', ok: root, detail: root ? 'uid 0: firewall rules, qdiscs, namespaces, tmpfs mounts' : 'not root: NET-1/3/4/5 on netns, RES-1, CPU quotas skip' },
    browserFact('chromium', env),
    browserFact('firefox', env),
    turnFact(env),
    ...TOOLS.map(([bin, pkg]): MachineFact => (onPath(bin) ? { what: bin, ok: true, detail: 'on PATH' } : { what: bin, ok: false, detail: `apt-get install -y ${pkg}` })),
    { what: 'tmpfs', ok: linux && root, detail: linux && root ? 'can mount (RES-1 fills a small one)' : 'needs Linux and root' },
    { what: 'cgroup cpu', ok: cgroup === undefined, detail: cgroup ?? 'writable (cpu-quota)' },
  ];
  const faults = new Map(registeredFaults().map((f) => [f.name, f]));
  const turnManaged = !env.TURN_URL;
  const rows: RowOutlook[] = [];
  for (const row of CATALOGUE) {
    for (const pair of PAIRS) {
      const browsers = pair.engines.map((e) => [e, browserUnavailable(e, env)] as const).filter(([, missing]) => missing !== undefined);
      const blocked = row.faults
        .map((name) => {
          const def = faults.get(name);
          const why = def ? missingNeeds(def.needs, { browserName: pair.engines[0]!, engines: pair.engines, turnManaged }) : 'is not registered';
          return why ? `${name} ${why}` : undefined;
        })
        .filter((r): r is string => r !== undefined);
      const reasons = [...browsers.map(([e, missing]) => `needs ${e}: ${missing}`), ...blocked];
      const status = browsers.length > 0 || (row.faults.length > 0 && blocked.length === row.faults.length) ? 'skips' : blocked.length > 0 ? 'partly' : 'runs';
      rows.push({ id: row.id, pair: pair.name, status, reasons, noFault: row.faults.length === 0 });
    }
  }
  return { facts, rows };
}
