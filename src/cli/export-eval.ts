// `harvest export eval --out DIR [--data DIR] [--per-role N]`: evaluation scenarios as lora-forge's
// role benchmark reads them (eval/prompts/<role>_scenarios.jsonl, lines of {role, scenario, system,
// user, expected_behaviors}), from the best episodes of each role, with a manifest naming the
// samples each scenario came from.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../config.ts';
import { evalScenarios, type EvalScenarioResult } from '../pipeline/eval-scenarios.ts';
import { writeFileAtomic } from '../sinks/shards/shard-files.ts';
import { requireDataset } from './dataset-dir.ts';
import { exitTwoOnBadArguments } from './record-event.ts';

const count = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

/** Writes `<out>/<role>_scenarios.jsonl` per role and `<out>/manifest.json`; returns what was picked. */
export async function exportEval(dataDir: string, out: string, perRole = 5): Promise<EvalScenarioResult & { files: string[] }> {
  const r = await evalScenarios(dataDir, perRole);
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  for (const [role, list] of Object.entries(r.byRole)) {
    const name = `${role}_scenarios.jsonl`;
    await writeFileAtomic(join(out, name), list.map((s) => JSON.stringify(s)).join('\n') + '\n');
    files.push(name);
  }
  await writeFileAtomic(join(out, 'manifest.json'), JSON.stringify({
    format: 'lora-forge eval/prompts',
    created_at: new Date().toISOString(),
    dataset: dataDir,
    per_role: perRole,
    files,
    scenarios: r.sources,
    counts: r.counts,
  }, null, 2) + '\n');
  return { ...r, files };
}

export function registerEvalExportCommand(program: Command): Command {
  const exp = program.commands.find((c) => c.name() === 'export')
    ?? program.command('export').description('export training examples and time series as JSONL');
  return exitTwoOnBadArguments(exp
    .command('eval')
    .description("evaluation scenarios per role from the dataset's best episodes, as lora-forge's role benchmark reads them (<role>_scenarios.jsonl)")
    .requiredOption('--out <dir>', 'folder to write the scenario files into (lora-forge: eval/prompts)')
    .option('--data <dir>', 'dataset folder (HARVEST_OUT, default ./data)')
    .option('--per-role <n>', 'scenarios per role at most', count, 5)
    .option('--json', 'print what was written as JSON')
    .action(async (o: { out: string; data?: string; perRole: number; json?: boolean }) => {
      const data = o.data ? resolve(o.data) : loadConfig(process.env).outDir;
      requireDataset(data, o.data ? '--data ' : 'the default dataset folder (HARVEST_OUT) ');
      const out = resolve(o.out);
      const r = await exportEval(data, out, o.perRole);
      if (o.json) {
        process.stdout.write(JSON.stringify({ out, files: r.files, scenarios: r.sources, counts: r.counts }) + '\n');
        return;
      }
      for (const [role, list] of Object.entries(r.byRole)) process.stdout.write(`${role}_scenarios.jsonl: ${list.length} scenario(s)\n`);
      if (r.files.length === 0) process.stdout.write('no scenario: no episode with its task and a tool call in the dataset\n');
      process.stdout.write(`manifest: ${join(out, 'manifest.json')}\n`);
    }));
}
