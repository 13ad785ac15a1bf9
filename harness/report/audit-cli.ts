// `npm run chaos -- --audit`: the catalogue against what exists, without running a test.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registeredFaults } from '../faults/all.js';
import { auditRows, renderAudit } from './audit.js';
import { scenarioCoverage } from './coverage.js';
import type { Scorecard } from './scorecard.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scorecardPath = path.join(repo, 'reports', 'resilience', 'scorecard.json');
const last = fs.existsSync(scorecardPath) ? (JSON.parse(fs.readFileSync(scorecardPath, 'utf8')) as Scorecard) : undefined;
const text = renderAudit(auditRows(new Set(registeredFaults().map((f) => f.name)), scenarioCoverage(repo), last), last);
fs.mkdirSync(path.dirname(scorecardPath), { recursive: true });
fs.writeFileSync(path.join(path.dirname(scorecardPath), 'audit.md'), `${text}\n`);
console.log(text);
console.log(`\naudit: ${path.join(path.dirname(scorecardPath), 'audit.md')}`);
