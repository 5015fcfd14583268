// Runs `harvest`'s event commands in this process, without bin/harvest.js (and so without the bundle).
import { InvalidArgumentError } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { ConfigError } from '../../src/config.ts';

const program = await buildProgram(process.argv);
try {
  await program.parseAsync(process.argv);
  process.exit(process.exitCode ?? 0);
} catch (e) {
  process.stderr.write(`harvest: ${(e as Error).message}\n`);
  process.exit(e instanceof ConfigError || e instanceof InvalidArgumentError ? 2 : 1);
}
