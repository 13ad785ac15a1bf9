import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../harness/report/catalogue.js';
import { catalogueMarkdown } from '../../harness/report/catalogue-markdown.js';

const doc = path.resolve(import.meta.dirname, '../../docs/scenarios.md');

describe('docs/scenarios.md', () => {
  it('is the catalogue data rendered (run `npm run docs:scenarios` after changing harness/report/catalogue.ts)', () => {
    expect(fs.readFileSync(doc, 'utf8')).toBe(catalogueMarkdown());
  });

  it('has one table row per catalogue row', () => {
    const ids = [...catalogueMarkdown().matchAll(/^\| ([A-Z]+-\d+) \|/gm)].map((m) => m[1]);
    expect(ids).toEqual(CATALOGUE.map((c) => c.id));
  });
});
