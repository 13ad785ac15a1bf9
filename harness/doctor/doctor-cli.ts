// `npm run doctor`: what this machine has and lacks, and which catalogue rows will skip, and why.
import { diagnose } from './doctor.js';
import { renderDoctor } from './render-doctor.js';

const d = diagnose();
console.log(renderDoctor(d));
process.exitCode = d.facts.some((f) => !f.ok && (f.what === 'chromium' || f.what === 'coturn')) ? 1 : 0;
