// Runs `harvest` with the event commands registered, as bin/harvest.js does once they are wired
// into src/cli/main.ts (until then the tests reach them through here).
import { InvalidArgumentError } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { ConfigError } from '../../src/config.ts';
import { registerRecordActionCommand } from '../../src/cli/record-action.ts';
import { registerRecordOutcomeCommand } from '../../src/cli/record-outcome.ts';
import { registerStatsCommand } from '../../src/cli/stats.ts';
import { registerExportCommand } from '../../src/cli/export.ts';

const program = buildProgram();
const has = (n: string) => program.commands.some((c) => c.name() === n);
if (!has('record-action')) registerRecordActionCommand(program);
if (!has('record-outcome')) registerRecordOutcomeCommand(program);
if (!has('stats')) registerStatsCommand(program);
if (!program.commands.find((c) => c.name() === 'export')?.commands.some((c) => c.name() === 'decisions')) registerExportCommand(program);
try {
  await program.parseAsync(process.argv);
  process.exit(process.exitCode ?? 0);
} catch (e) {
  process.stderr.write(`harvest: ${(e as Error).message}\n`);
  process.exit(e instanceof ConfigError || e instanceof InvalidArgumentError ? 2 : 1);
}
