// `harvest gaps [--out DIR] [--target FILE] [--min N] [--json]`: samples per role and per role and
// scenario kind against a target mix, and what is missing in samples and in sessions to generate.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.ts';
import { UserError } from '../user-error.ts';
import { readDatasetMix } from '../pipeline/generate-mix.ts';
import { computeGaps, targetMixSchema, type GapReport, type TargetMix } from '../transforms/gaps.ts';

export async function readTargetMix(path: string): Promise<TargetMix> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UserError(`${path}: cannot read the target (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 2, 'give --target a JSON file');
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not JSON (${(e as Error).message})`, 2, 'see "harvest gaps" in the README for the target\'s shape');
  }
  const p = targetMixSchema.safeParse(v);
  if (!p.success) {
    const i = p.error.issues[0];
    throw new UserError(`${path}: ${i.path.join('.') || 'target'}: ${i.message}`, 2, 'see "harvest gaps" in the README for the target\'s shape');
  }
  return p.data;
}

export async function datasetGaps(dataDir: string, target: TargetMix | undefined, minPerRole?: number): Promise<GapReport> {
  return computeGaps(await readDatasetMix(dataDir), target, { minPerRole });
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);

export function formatGaps(dir: string, report: GapReport, targeted: boolean): string {
  const head = targeted
    ? `gaps in ${dir} against the target (${report.target_total} samples, at least ${report.min_per_role} per role); the dataset has ${report.total}`
    : `gaps in ${dir} against an even split over the ${report.roles.length} roles present (at least ${report.min_per_role} per role); the dataset has ${report.total} samples`;
  if (report.roles.length === 0) return `${head}\nno samples with a Gas Town role yet: run harvest backfill first, or give --target`;
  const lines = [head, '', `${'role / kind'.padEnd(16)}${pad('have', 8)}${pad('target', 8)}${pad('missing', 9)}${pad('sessions', 10)}   samples/session`];
  for (const r of report.roles) {
    const synth = r.synthetic ? ` (${r.synthetic} synthetic)` : '';
    lines.push(`${r.role.padEnd(16)}${pad(r.have, 8)}${pad(r.target, 8)}${pad(r.missing, 9)}${pad(r.sessions, 10)}   ${r.samples_per_session}${synth}`);
    for (const k of r.kinds) lines.push(`${`  ${k.kind}`.padEnd(16)}${pad(k.have, 8)}${pad(k.target, 8)}${pad(k.missing, 9)}${pad(k.sessions, 10)}`);
  }
  lines.push('', report.missing === 0
    ? 'no gaps: every role meets its target'
    : `missing ${report.missing} samples, about ${report.sessions} sessions: harvest generate fills them (without --role, the largest first)`);
  return lines.join('\n');
}

const nonNegative = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number, 0 or more');
  return n;
};

export function registerGapsCommand(program: Command): void {
  program
    .command('gaps')
    .description('samples per role and scenario kind against a target mix (default: an even split over the roles present), and what is missing in samples and sessions')
    .option('--out <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--target <file>', 'target mix as JSON: {total?, min_per_role?, roles: {<role>: {share?, samples?, scenarios?: {<kind>: share}}}}')
    .option('--min <n>', 'least samples per role (default 100; the target file\'s min_per_role wins)', nonNegative)
    .option('--json', 'print the report as one JSON object')
    .action(async (o: { out?: string; target?: string; min?: number; json?: boolean }) => {
      const cfg = loadConfig(process.env, o.out ? { outDir: resolve(o.out) } : {});
      const target = o.target ? await readTargetMix(resolve(o.target)) : undefined;
      const report = await datasetGaps(cfg.outDir, target, o.min);
      process.stdout.write((o.json ? JSON.stringify(report) : formatGaps(cfg.outDir, report, target !== undefined)) + '\n');
    });
}
