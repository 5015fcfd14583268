// `harvest record-outcome --repo R --pr N --result success --detail TEXT --resolution-hours H`:
// records how a PR ended. Exit 0 queued, 2 bad arguments, 3 Redis unreachable (spooled).
import { Command, Option } from 'commander';
import { OUTCOME_RESULTS } from '../model/event.ts';
import {
  addCommonEventOptions, commonFields, exitTwoOnBadArguments, nonNegativeNumber, sendEventFromCli, type CommonEventFlags,
} from './record-event.ts';

export function registerRecordOutcomeCommand(program: Command): Command {
  const cmd = program
    .command('record-outcome')
    .description('record how a PR ended (exit 3: Redis unreachable, the event is spooled)');
  addCommonEventOptions(cmd)
    .addOption(new Option('--result <result>', 'how it ended').choices([...OUTCOME_RESULTS]).makeOptionMandatory())
    .option('--detail <text>', 'what happened', '')
    .option('--resolution-hours <h>', 'hours from the PR\'s start to its end', nonNegativeNumber)
    .action(async (o: CommonEventFlags & { result: (typeof OUTCOME_RESULTS)[number]; detail: string; resolutionHours?: number }) => {
      await sendEventFromCli({
        type: 'outcome',
        ...commonFields(o),
        result: o.result,
        detail: o.detail,
        ...(o.resolutionHours !== undefined ? { resolution_hours: o.resolutionHours } : {}),
      }, o.json);
    });
  exitTwoOnBadArguments(cmd);
  return cmd;
}
