// `npm run docs:scenarios`: writes docs/scenarios.md from the catalogue data.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogueMarkdown } from './catalogue-markdown.js';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/scenarios.md');
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, catalogueMarkdown());
console.log(`wrote ${file}`);
