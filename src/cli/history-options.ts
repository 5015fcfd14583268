// Flags shared by `stats` and `export`: which history, from when, for which repository.
import { Command, InvalidArgumentError, Option } from 'commander';
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import { parseDuration } from './duration.ts';
import { openHistory, type HistoryFilter, type HistorySource } from '../analysis/history.ts';
import { influxSettingsFromEnv } from '../sources/influx/settings.ts';

/** `30d`, `12h`, `2w`, `90m`, or a date/time: the start of the range, in ms. */
export function parseSince(v: string, now = Date.now()): number {
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d|w)$/.test(v.trim())) return now - parseDuration(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidArgumentError('expected a duration like 30d, 12h, 2w, or a date like 2025-01-31');
  return t;
}

export function addHistoryOptions(cmd: Command, defaultSince?: string): Command {
  return cmd
    .option('--since <when>', `only events since then: 30d, 12h, 2w or a date${defaultSince ? ` (default ${defaultSince})` : ' (default: all)'}`, (v) => parseSince(v))
    .option('--repo <owner/name>', 'only this repository')
    .option('--data <dir>', 'the dataset folder with events/ and points/ (HARVEST_OUT, default ./data)')
    .addOption(new Option('--source <where>', 'read the files, or InfluxDB (default: InfluxDB when INFLUX_URL is set)').choices(['auto', 'files', 'influx']).default('auto'));
}

export interface HistoryFlags {
  since?: number;
  repo?: string;
  data?: string;
  source: 'auto' | 'files' | 'influx';
}

export function historyFrom(o: HistoryFlags, defaultSince: string | undefined, env: NodeJS.ProcessEnv = process.env): { history: HistorySource; filter: HistoryFilter } {
  const cfg = loadConfig(env, o.data ? { outDir: resolve(o.data) } : {});
  const history = openHistory(cfg.outDir, influxSettingsFromEnv(env), o.source);
  const sinceMs = o.since ?? (defaultSince ? parseSince(defaultSince) : undefined);
  return { history, filter: { sinceMs, repo: o.repo } };
}
