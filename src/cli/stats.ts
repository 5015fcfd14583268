// `harvest stats [--since 30d] [--repo R] [--json]`: per action type, how many PRs it was taken on,
// how their outcomes split (success, escalated, failed), and the mean and median hours from the
// action to the outcome; then the PR observations per repository and time range.
import { Command } from 'commander';
import { computeActionStats, formatStats, observationRanges } from '../analysis/action-stats.ts';
import type { Counts } from '../model/session.ts';
import { addHistoryOptions, historyFrom, type HistoryFlags } from './history-options.ts';
import { exitTwoOnBadArguments } from './record-event.ts';

export function registerStatsCommand(program: Command): Command {
  const cmd = program
    .command('stats')
    .description('what each orchestrator action led to (from the event shards, or InfluxDB when configured)');
  addHistoryOptions(cmd)
    .option('--json', 'print one JSON object')
    .action(async (o: HistoryFlags & { json?: boolean }) => {
      const { history, filter } = historyFrom(o, undefined);
      const counts: Counts = {};
      const report = await computeActionStats(history.actions(filter, counts), history.outcomes(filter, counts));
      const ranges = await observationRanges(history.observations(filter, counts));
      if (o.json) {
        process.stdout.write(JSON.stringify({ source: history.description, since: filter.sinceMs ? new Date(filter.sinceMs).toISOString() : null, repo: filter.repo ?? null, ...report, observations: ranges, counts }) + '\n');
        return;
      }
      const scope = [filter.repo ? `repo ${filter.repo}` : 'all repositories', filter.sinceMs ? `since ${new Date(filter.sinceMs).toISOString()}` : 'all time'].join(', ');
      process.stdout.write(formatStats(report, ranges, `orchestrator actions, ${scope} (${history.description})`) + '\n');
    });
  exitTwoOnBadArguments(cmd);
  return cmd;
}
