import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registeredFaults } from '../../harness/faults/all.js';

const dir = path.resolve(import.meta.dirname, '../../harness/faults');

describe('harness/faults/all.ts', () => {
  it('loads every module that registers a fault, so the audit and the registry see them all', () => {
    const registering = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.ts') && n !== 'registry.ts' && n !== 'all.ts')
      .filter((n) => /registerFault\(/.test(fs.readFileSync(path.join(dir, n), 'utf8')));
    const all = fs.readFileSync(path.join(dir, 'all.ts'), 'utf8');
    const missing = registering.filter((n) => !all.includes(`import './${n.replace(/\.ts$/, '.js')}';`));
    expect(missing).toEqual([]);
    expect(registeredFaults().length).toBeGreaterThanOrEqual(registering.length);
  });
});
