// `harvest points replay [--dir DIR]`: sends the line-protocol files written while no InfluxDB was
// configured (`<out>/points/*.lp`) to the InfluxDB configured now. Safe to run again: InfluxDB keeps
// one point per measurement, tags and timestamp.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { influxSettingsFromEnv } from '../sources/influx/settings.ts';
import { createInfluxWriter } from '../sinks/influx/create-point-sink.ts';
import { pointsDir } from '../sinks/line-protocol/file-sink.ts';
import { replayLineProtocolFiles, type ReplayResult } from '../sinks/line-protocol/replay.ts';

export async function replayPoints(dir: string, env: NodeJS.ProcessEnv = process.env, onFile?: (file: string, records: number) => void): Promise<ReplayResult & { target: string }> {
  if (!existsSync(dir)) throw new ConfigError(`no line-protocol files to replay: ${dir} does not exist`);
  const writer = createInfluxWriter({ ...influxSettingsFromEnv(env), outDir: dir, writerId: 'replay' });
  if (!writer) {
    throw new ConfigError('no InfluxDB is configured: set INFLUX_URL with INFLUX_TOKEN, INFLUX_ORG and INFLUX_BUCKET (2.x) or with INFLUX_DB (1.x)');
  }
  try {
    const r = await replayLineProtocolFiles(dir, writer, { onFile });
    return { ...r, target: writer.kind };
  } finally {
    await writer.close();
  }
}

export function registerPointsCommand(program: Command): void {
  const points = program.command('points').description('time-series points (pr_observation, outcome, ...)');
  points
    .command('replay')
    .description('send line-protocol files (written while no InfluxDB was configured) to the configured InfluxDB')
    .option('--dir <dir>', 'folder of .lp files, or an output root (default: <HARVEST_OUT>/points)')
    .action(async (o: { dir?: string }) => {
      const dir = o.dir ? resolve(o.dir) : pointsDir(loadConfig().outDir);
      const r = await replayPoints(dir, process.env, (file, n) => process.stdout.write(`${file}: ${n} points\n`));
      process.stdout.write(`replayed ${r.records} points from ${r.files} files to ${r.target}${r.partialSkipped ? ` (${r.partialSkipped} unterminated last lines skipped)` : ''}\n`);
    });
}
