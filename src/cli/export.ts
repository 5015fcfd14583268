// `harvest export decisions --out FILE.jsonl [--since 90d]`: one training example per recorded
// action (the PR's latest observation before it, the action and reason, the eventual outcome);
// actions on PRs without an outcome yet are left out and counted.
// `harvest export observations --out FILE.jsonl`: the PR observations, one flat object per line.
// Both stream; the counts go to stderr (or as JSON with --json).
import { Command } from 'commander';
import { resolve } from 'node:path';
import { decisionExamples, observationRows } from '../analysis/decisions.ts';
import type { Counts } from '../model/session.ts';
import { writeJsonl } from '../sinks/jsonl-output.ts';
import { addHistoryOptions, historyFrom, type HistoryFlags } from './history-options.ts';
import { exitTwoOnBadArguments } from './record-event.ts';

type ExportFlags = HistoryFlags & { out: string; json?: boolean };

function report(what: string, out: string, rows: number, counts: Counts, json: boolean | undefined, extra: string): void {
  if (json) process.stderr.write(JSON.stringify({ export: what, out, rows, counts }) + '\n');
  else process.stderr.write(`wrote ${rows} ${what} to ${out}${extra}\n`);
}

export function registerExportCommand(program: Command): Command {
  // The training exports (openai, llamafactory, sharegpt, dpo) join the same `export` command, whichever registers first.
  const exp = program.commands.find((c) => c.name() === 'export')
    ?? program.command('export').description('export training examples and time series as JSONL');
  exitTwoOnBadArguments(exp);

  const decisions = exp
    .command('decisions')
    .description('one example per recorded action: signals before it, the action, and the PR\'s outcome');
  addHistoryOptions(decisions, '90d')
    .requiredOption('--out <file>', 'the JSONL file to write (- for stdout)')
    .option('--json', 'print the counts as JSON on stderr')
    .action(async (o: ExportFlags) => {
      const { history, filter } = historyFrom(o, '90d');
      const counts: Counts = {};
      const out = o.out === '-' ? '-' : resolve(o.out);
      const n = await writeJsonl(out, decisionExamples(history, filter, counts));
      const left = counts.actions_without_outcome ?? 0;
      report('decision examples', out, n, counts, o.json,
        `; left out ${left} action(s) on ${counts.prs_without_outcome ?? 0} PR(s) without an outcome yet` +
          `; ${counts.examples_without_observation ?? 0} example(s) have no observation before the action`);
    });
  exitTwoOnBadArguments(decisions);

  const observations = exp
    .command('observations')
    .description('the PR observations (pr_observation points), one JSON object per observation');
  addHistoryOptions(observations)
    .requiredOption('--out <file>', 'the JSONL file to write (- for stdout)')
    .option('--json', 'print the counts as JSON on stderr')
    .action(async (o: ExportFlags) => {
      const { history, filter } = historyFrom(o, undefined);
      const counts: Counts = {};
      const out = o.out === '-' ? '-' : resolve(o.out);
      const n = await writeJsonl(out, observationRows(history, filter, counts));
      report('observations', out, n, counts, o.json, counts.lp_unparseable ? `; ${counts.lp_unparseable} unparseable line(s) skipped` : '');
    });
  exitTwoOnBadArguments(observations);
  return exp;
}
