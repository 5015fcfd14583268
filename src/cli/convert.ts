// `harvest convert FILE... [--format openai|llamafactory|sharegpt] [--out FILE]`: one or a few
// session files of any harness (the format is read from the bytes) as training lines on stdout or
// in one file. No Redis, no dataset folder: the session pipeline's own functions, and the exports'
// renderers and rules, in this process.
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config.ts';
import type { Counts } from '../model/session.ts';
import { mergeCounts } from '../model/session.ts';
import type { SftFormat } from '../exports/export-run.ts';
import { UserError } from '../user-error.ts';
import { EXIT_FAILED } from './exit-codes.ts';
import { verbosity } from './verbosity.ts';

export const CONVERT_FORMATS = ['openai', 'llamafactory', 'sharegpt'] as const;
export type ConvertFormat = (typeof CONVERT_FORMATS)[number];

// The readers, the sample builder and the renderers load when a conversion runs: registering the
// command costs the other commands nothing.
export async function convertFormat(name: ConvertFormat, thinking: 'keep' | 'drop'): Promise<SftFormat> {
  if (name === 'llamafactory') return (await import('../exports/llamafactory.ts')).llamaFactoryFormat(thinking === 'drop' ? { reasoning: 'drop', callText: 'think' } : undefined);
  if (name === 'sharegpt') return (await import('../exports/sharegpt.ts')).shareGptFormat({ thinking });
  const { openAiFormat, openAiOptions } = await import('../exports/openai.ts');
  return openAiFormat(openAiOptions('openai'));
}

export interface ConvertResult {
  files: { path: string; format: string; samples: number }[];
  samples: number;
  /** Files that are no session of a known format. */
  unreadable: string[];
  counts: Counts;
}

/** Converts `paths`, handing each rendered line to `emit`; throws before any work for a missing file. */
export async function convertFiles(paths: string[], format: ConvertFormat, emit: (line: Record<string, unknown>) => Promise<void>, o: { metadata?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<ConvertResult> {
  for (const p of paths) {
    if (!existsSync(p)) throw new UserError(`${p}: no such file`, 2, 'name session files (a folder of them: `harvest backfill --claude DIR ...`)');
    if (!statSync(p).isFile()) throw new UserError(`${p}: a folder, not a session file`, 2, 'name the files in it; a whole folder is read by `harvest backfill --claude DIR` (or --pir, --codex, ...)');
  }
  const cfg = loadConfig(o.env ?? process.env);
  const fmt = await convertFormat(format, cfg.thinking);
  const { convertSessionFile } = await import('../pipeline/convert-session.ts');
  const { ExportRuleError } = await import('../exports/export-run.ts');
  const res: ConvertResult = { files: [], samples: 0, unreadable: [], counts: {} };
  for (const path of paths) {
    const c = await convertSessionFile(path, {
      townRoot: cfg.townRoot, valPercent: cfg.valPercent, thinking: cfg.thinking, minScore: cfg.minScore,
      maxTokens: cfg.maxTokens, tokenizer: cfg.tokenizer, contextSteps: cfg.contextSteps,
      maxLineBytes: cfg.maxLineBytes, maxFieldChars: cfg.maxFieldChars,
    });
    mergeCounts(res.counts, c.counts);
    if (c.format === 'unknown') res.unreadable.push(path);
    if (verbosity() !== 'quiet') for (const w of c.warnings) process.stderr.write(`harvest: warning: ${w}\n`);
    let n = 0;
    for (const sample of c.samples) {
      const line = fmt.render(sample, res.counts);
      if (!line) continue;
      const breaks = fmt.check(line);
      if (breaks.length) throw new ExportRuleError(fmt.name, String(sample.metadata.record_id), path, breaks);
      if (o.metadata) line.metadata = sample.metadata;
      await emit(line);
      n++;
    }
    res.files.push({ path, format: c.format, samples: n });
    res.samples += n;
  }
  return res;
}

export function formatConvertSummary(r: ConvertResult, format: string, out?: string): string {
  const show = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
  const per = r.files.map((f) => `${f.samples} from ${show(f.path)} (${f.format})`).join('; ');
  const left = Object.entries(r.counts).filter(([k, v]) => v > 0 && /^(skipped_|uncovered\.|rejected_|empty_files$|sessions_empty$|unknown_format$)/.test(k))
    .map(([k, v]) => `${k}=${v}`).join(' ');
  return `harvest: converted ${r.files.length} file(s) into ${r.samples} ${format} sample(s)${out ? ` in ${out}` : ''}: ${per}${left ? `; left out: ${left}` : ''}`;
}

export function registerConvertCommand(program: Command): Command {
  return program
    .command('convert')
    .argument('<files...>', 'session files of any harness (Claude Code, pi, omp, Codex, Gemini CLI, OpenCode)')
    .description('turn one or a few session files into training samples on stdout (no Redis, no dataset folder)')
    .addOption(new Option('--format <format>', 'line format').choices([...CONVERT_FORMATS]).default('openai'))
    .option('--out <file>', 'write the lines to this file instead of stdout')
    .option('--metadata', "keep each sample's metadata in its line")
    .action(async (files: string[], o: { format: ConvertFormat; out?: string; metadata?: boolean }) => {
      const paths = files.map((f) => resolve(f));
      const { JsonlFileWriter } = await import('../sinks/training-files.ts');
      const writer = o.out ? await JsonlFileWriter.open(resolve(o.out)) : null;
      let r: ConvertResult;
      try {
        r = await convertFiles(paths, o.format, async (line) => {
          if (writer) await writer.write(line);
          else if (!process.stdout.write(JSON.stringify(line) + '\n')) await new Promise((ok) => process.stdout.once('drain', ok));
        }, { metadata: o.metadata });
      } catch (e) {
        await writer?.abort();
        throw e;
      }
      await writer?.close();
      if (verbosity() !== 'quiet') process.stderr.write(formatConvertSummary(r, o.format, o.out) + '\n');
      if (r.unreadable.length) {
        process.stderr.write(`harvest: not a session file of any known format: ${r.unreadable.join(', ')}\n`);
        process.exitCode = EXIT_FAILED;
      }
    });
}
