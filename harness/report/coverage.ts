import fs from 'node:fs';
import path from 'node:path';
import { scenarioIdOf } from './catalogue.js';

/** Test folders scanned for scenario IDs, relative to the repo root. */
const TEST_DIRS = ['tests/e2e', 'tests/unit', 'experiments'];
const TITLE = /\b(?:test|it|describe)\s*\(\s*[`'"]((?:NET|SIG|TURN|BRW|DATA|RES|TIME|SEC|CAS|MON)-\d+)\b/g;
const EXPERIMENT_ID = /"scenarioId"\s*:\s*"((?:NET|SIG|TURN|BRW|DATA|RES|TIME|SEC|CAS|MON)-\d+)"/g;

/**
 * Which files cover which scenario ID, found without running anything: a file named by the ID
 * (`net-1-path-cut.spec.ts`), a test/describe title starting with it, or an experiment file that
 * declares it. Used by the scorecard ("not run" vs "not covered") and by `--audit`.
 */
export function scenarioCoverage(rootDir: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const add = (id: string, file: string) => {
    const files = map.get(id) ?? [];
    if (!files.includes(file)) files.push(file);
    map.set(id, files);
  };
  for (const dir of TEST_DIRS) {
    const abs = path.join(rootDir, dir);
    if (!fs.existsSync(abs)) continue;
    for (const name of fs.readdirSync(abs)) {
      if (!/\.(spec|test)\.ts$|\.json$/.test(name)) continue;
      const rel = path.posix.join(dir, name);
      const text = fs.readFileSync(path.join(abs, name), 'utf8');
      const byName = scenarioIdOf(name);
      if (byName && !name.endsWith('.json')) add(byName, rel);
      for (const m of text.matchAll(name.endsWith('.json') ? EXPERIMENT_ID : TITLE)) add(m[1]!, rel);
    }
  }
  return map;
}
