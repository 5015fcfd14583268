// Every command besides the core ones in main.ts, loaded only when one of them (or the help) runs.
import type { Command } from 'commander';
import { registerReposCommand } from './repos.ts';
import { registerPollCommand } from './poll.ts';
import { registerPointsCommand } from './points.ts';
import { registerRecordActionCommand } from './record-action.ts';
import { registerRecordOutcomeCommand } from './record-outcome.ts';
import { registerStatsCommand } from './stats.ts';
import { registerCompareCommand } from './compare.ts';
import { registerExportCommand } from './export.ts';
import { registerBeadsCommand } from './beads.ts';
import { registerTrainingExportCommands } from './export-training.ts';
import { registerReportCommand } from './report.ts';
import { registerServeCommand } from './serve.ts';
import { registerRunCommand } from './run.ts';
import { registerStatusCommand } from './status.ts';
import { registerJobsCommand } from './jobs.ts';
import { registerShardsCommand } from './shards.ts';
import { registerScanCommand } from './scan.ts';
import { registerGapsCommand } from './gaps.ts';
import { registerGenerateCommand } from './generate.ts';
import { registerDoctorCommand } from './doctor.ts';
import { registerConvertCommand } from './convert.ts';
import { registerEvalExportCommand } from './export-eval.ts';

export function registerExtraCommands(program: Command): void {
  registerReposCommand(program);
  registerPollCommand(program);
  registerPointsCommand(program);
  registerRecordActionCommand(program);
  registerRecordOutcomeCommand(program);
  registerStatsCommand(program);
  registerCompareCommand(program);
  registerExportCommand(program);
  registerBeadsCommand(program);
  registerTrainingExportCommands(program);
  registerReportCommand(program);
  registerServeCommand(program);
  registerRunCommand(program);
  registerStatusCommand(program);
  registerJobsCommand(program);
  registerShardsCommand(program);
  registerScanCommand(program);
  registerGapsCommand(program);
  registerGenerateCommand(program);
  registerDoctorCommand(program);
  registerConvertCommand(program);
  registerEvalExportCommand(program);
}
