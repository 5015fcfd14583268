// `harvest record-action --repo R --pr N --action A --reason TEXT`: records what the orchestrator
// decided about a PR. Exit 0 queued, 2 bad arguments, 3 Redis unreachable (the event is spooled).
import { Command } from 'commander';
import { addCommonEventOptions, commonFields, exitTwoOnBadArguments, sendEventFromCli, type CommonEventFlags } from './record-event.ts';

export function registerRecordActionCommand(program: Command): Command {
  const cmd = program
    .command('record-action')
    .description('record an orchestrator action on a PR (exit 3: Redis unreachable, the event is spooled)');
  addCommonEventOptions(cmd)
    .requiredOption('--action <name>', 'what was done: wait, request_conflict_fix, request_review_fix, merge, escalate, ...')
    .option('--reason <text>', 'why', '')
    .action(async (o: CommonEventFlags & { action: string; reason: string }) => {
      await sendEventFromCli({ type: 'action_taken', ...commonFields(o), action: o.action, reason: o.reason }, o.json);
    });
  exitTwoOnBadArguments(cmd);
  return cmd;
}
