// `harvest compare --by model|runtime|role|harness [--since 30d] [--json]`: per group, sessions, PRs
// opened, merge and first-try merge rates, hours to merge, review-fix rounds per PR, the bead
// first-try close rate, and tokens and cost per merged PR, each rate with a Wilson 95% interval
// (src/analysis/compare.ts says how each is counted).
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { COMPARE_DIMENSIONS, formatCompare, type CompareDimension } from '../analysis/compare.ts';
import { loadConfig } from '../config.ts';
import type { Counts } from '../model/session.ts';
import { gatherCompare } from '../pipeline/compare-report.ts';
import { addHistoryOptions, historyFrom, type HistoryFlags } from './history-options.ts';
import { exitTwoOnBadArguments } from './record-event.ts';

export function registerCompareCommand(program: Command): Command {
  const cmd = program
    .command('compare')
    .description('how sessions\' PRs and beads turned out, per model, runtime, role or harness (rates with Wilson 95% intervals)')
    .addOption(new Option('--by <dimension>', 'what to group sessions by').choices([...COMPARE_DIMENSIONS]).default('model'));
  addHistoryOptions(cmd)
    .option('--json', 'print one JSON object')
    .action(async (o: HistoryFlags & { by: CompareDimension; json?: boolean }) => {
      if (!COMPARE_DIMENSIONS.includes(o.by)) throw new InvalidArgumentError(`--by takes ${COMPARE_DIMENSIONS.join(', ')}`);
      const { history, filter } = historyFrom(o, undefined);
      const dataDir = loadConfig(process.env, o.data ? { outDir: resolve(o.data) } : {}).outDir;
      const counts: Counts = {};
      const report = await gatherCompare(dataDir, history, o.by, filter, counts);
      process.stdout.write((o.json ? JSON.stringify({ source: history.description, data: dataDir, ...report, counts }) : formatCompare(report, history.description)) + '\n');
    });
  exitTwoOnBadArguments(cmd);
  return cmd;
}
