import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { HarnessError } from '../errors.js';
import type { Experiment } from './experiment.js';

export const EXPERIMENT_SCHEMA_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../experiments/experiment.schema.json');

// verbose: errors carry the data and schema, so a failed oneOf can tell which branch was meant.
const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
const checkSchema = ajv.compile(JSON.parse(fs.readFileSync(EXPERIMENT_SCHEMA_PATH, 'utf8')) as object);

/** One problem, at a JSON Pointer into the experiment (`/method/2/trigger`). */
export interface ExperimentProblem {
  at: string;
  message: string;
}

interface Branch {
  required?: string[];
  properties?: Record<string, { const?: unknown }>;
}

/** The branch of a `oneOf` the author meant: the one whose `type`/`action` const, or first required key, the data has. */
function intendedBranch(branches: Branch[], data: unknown): number {
  if (typeof data !== 'object' || data === null) return -1;
  const d = data as Record<string, unknown>;
  return branches.findIndex((b) => {
    const tag = Object.entries(b.properties ?? {}).find(([, v]) => v.const !== undefined);
    return tag ? d[tag[0]] === tag[1].const : b.required?.[0] !== undefined && b.required[0] in d;
  });
}

function branchSummary(branches: Branch[]): string {
  return branches.map((b) => {
    const tag = Object.entries(b.properties ?? {}).find(([, v]) => v.const !== undefined);
    return tag ? `${tag[0]} "${String(tag[1].const)}"` : `{ ${b.required?.join(', ') ?? ''} }`;
  }).join(' | ');
}

/**
 * ajv reports every branch of a failed `oneOf`; a person wants the branch they meant (the probe
 * whose `type` they wrote, the trigger whose key they used). Keep that branch's problems only,
 * and name the wrong property or value.
 */
function schemaProblems(errors: ErrorObject[]): ExperimentProblem[] {
  const meant = new Map<string, string | undefined>();
  const out: ExperimentProblem[] = [];
  for (const e of errors.filter((x) => x.keyword === 'oneOf')) {
    const branches = e.schema as Branch[];
    const i = intendedBranch(branches, e.data);
    meant.set(e.schemaPath, i >= 0 ? `${e.schemaPath}/${i}/` : undefined);
    if (i < 0) out.push({ at: e.instancePath || '/', message: `must be one of: ${branchSummary(branches)}` });
  }
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'oneOf') continue;
    const under = [...meant.entries()].filter(([path]) => e.schemaPath.startsWith(`${path}/`));
    if (under.some(([, prefix]) => prefix === undefined || !e.schemaPath.startsWith(prefix))) continue;
    const params = e.params as Record<string, unknown>;
    const detail =
      e.keyword === 'additionalProperties'
        ? `unknown field "${String(params.additionalProperty)}"`
        : e.keyword === 'enum'
          ? `must be one of ${JSON.stringify(params.allowedValues)}`
          : e.keyword === 'required'
            ? 'is required'
            : (e.message ?? e.keyword);
    const at = e.keyword === 'required' ? `${e.instancePath}/${String(params.missingProperty)}` : e.instancePath || '/';
    if (!seen.has(`${at} ${detail}`)) out.push({ at, message: detail });
    seen.add(`${at} ${detail}`);
  }
  return out;
}

/** What the schema cannot say: names that must refer to each other and to registered faults. */
function semanticProblems(x: Experiment, usableFaults: ReadonlyMap<string, { browserSide: boolean }>): ExperimentProblem[] {
  const out: ExperimentProblem[] = [];
  const names = new Map<string, number>();
  x.method.forEach((step, i) => {
    if (names.has(step.name)) out.push({ at: `/method/${i}/name`, message: `"${step.name}" is already the name of /method/${names.get(step.name)}` });
    names.set(step.name, i);
  });
  x.method.forEach((step, i) => {
    const fault = usableFaults.get(step.fault);
    if (!fault) out.push({ at: `/method/${i}/fault`, message: `"${step.fault}" is not a fault an experiment can use; known: ${[...usableFaults.keys()].sort().join(', ')}` });
    else if (fault.browserSide && !step.target) out.push({ at: `/method/${i}/target`, message: `${step.fault} acts on one browser: say "sender" or "receiver"` });
    if (step.recovery && step.target === undefined) out.push({ at: `/method/${i}/recovery`, message: 'a recovery acts on the step’s target peer: set /target' });
    if ('afterStep' in step.trigger) {
      const ref = step.trigger.afterStep;
      if (!names.has(ref)) out.push({ at: `/method/${i}/trigger/afterStep`, message: `no step is named "${ref}"` });
      else {
        // Follow the chain: a cycle would wait forever.
        const chain = new Set([step.name]);
        let cur: string | undefined = ref;
        while (cur !== undefined) {
          if (chain.has(cur)) {
            out.push({ at: `/method/${i}/trigger/afterStep`, message: `steps wait for each other in a cycle (${[...chain, cur].join(' → ')})` });
            break;
          }
          chain.add(cur);
          const t: Experiment['method'][number]['trigger'] | undefined = x.method[names.get(cur) ?? -1]?.trigger;
          cur = t && 'afterStep' in t ? t.afterStep : undefined;
        }
      }
    }
  });
  x.steadyStateHypothesis.probes.forEach((p, i) => {
    if (p.type === 'cpu-throttled' && !names.has(p.step)) out.push({ at: `/steadyStateHypothesis/probes/${i}/step`, message: `no step is named "${p.step}"` });
  });
  (x.rollbacks ?? []).forEach((r, i) => {
    if (r.action === 'heal' && !names.has(r.step)) out.push({ at: `/rollbacks/${i}/step`, message: `no step is named "${r.step}"` });
  });
  return out;
}

/**
 * Checks an experiment against experiments/experiment.schema.json and against the faults this
 * harness has; throws ERR_EXPERIMENT_INVALID listing every problem with the field it is at.
 */
export function validateExperiment(doc: unknown, source: string, usableFaults: ReadonlyMap<string, { browserSide: boolean }>): Experiment {
  const problems = checkSchema(doc) ? semanticProblems(doc as Experiment, usableFaults) : schemaProblems(checkSchema.errors ?? []);
  if (problems.length > 0) {
    throw new HarnessError('ERR_EXPERIMENT_INVALID', `${source} is not a valid experiment:\n${problems.map((p) => `    ${p.at}: ${p.message}`).join('\n')}`, {
      context: { source, problems },
      hint: `fix the fields above; the schema is ${path.relative(process.cwd(), EXPERIMENT_SCHEMA_PATH)}, examples are in experiments/`,
    });
  }
  return doc as Experiment;
}

/** Reads and validates one experiment file; a file that is not JSON gets the same kind of error. */
export function loadExperiment(file: string, usableFaults: ReadonlyMap<string, { browserSide: boolean }>): Experiment {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HarnessError('ERR_EXPERIMENT_INVALID', `${file} cannot be read as JSON: ${(err as Error).message}`, { context: { source: file }, hint: 'check the file exists and is JSON (a trailing comma or a comment is enough to break it)' });
  }
  return validateExperiment(doc, file, usableFaults);
}
