// `harvest doctor [--out DIR] [--json]`: checks what harvest needs on this machine and says how to
// fix each problem: Redis (reachable, version, noeviction, AOF), InfluxDB (reachable, auth, database
// or bucket), the GitHub token (valid, scopes, rate limit), the default session folders of each
// harness, free disk in the dataset folder, and the board's access settings. Exit 1 on a failure.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig, type HarvestConfig } from '../config.ts';
import { loadGithubSettings } from '../config-github.ts';
import { influxSettingsFromEnv } from '../sources/influx/settings.ts';
import { check, type CheckResult, type CheckStatus } from './doctor/check.ts';
import { checkRedis } from './doctor/redis.ts';
import { checkInflux } from './doctor/influx.ts';
import { checkGithub } from './doctor/github.ts';
import { checkSessionRoots } from './doctor/sessions.ts';
import { checkDisk } from './doctor/disk.ts';
import { checkBoardAuth } from './doctor/board.ts';
import { EXIT_FAILED } from './exit-codes.ts';

export async function runDoctor(env: NodeJS.ProcessEnv, outDir?: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let cfg: HarvestConfig;
  try {
    cfg = loadConfig(env, outDir ? { outDir } : {});
    results.push(check('config', 'ok', 'HARVEST_* settings are valid'));
  } catch (e) {
    results.push(check('config', 'fail', (e as Error).message, 'fix or unset the variable it names'));
    cfg = loadConfig({ REDIS_URL: env.REDIS_URL }, outDir ? { outDir } : {});
  }
  const [redis, influx, github, sessions] = await Promise.all([
    checkRedis(cfg.redisUrl, cfg.redisUrlExplicit),
    checkInflux(influxSettingsFromEnv(env), cfg.outDir),
    (async () => {
      try {
        return await checkGithub(loadGithubSettings(env));
      } catch (e) {
        return [check('github', 'fail', (e as Error).message, 'fix the GITHUB_* variable it names')];
      }
    })(),
    checkSessionRoots(env),
  ]);
  results.push(...redis, ...influx, ...github, ...sessions, ...checkDisk(cfg.outDir), ...checkBoardAuth(env));
  return results;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: 'info' };

export function formatDoctor(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]}  ${r.name.padEnd(width)}  ${r.summary}`);
    if (r.fix && r.status !== 'ok') lines.push(`${' '.repeat(width + 8)}${r.status === 'info' ? 'to use it' : 'fix'}: ${r.fix}`);
  }
  const n = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  lines.push('', n('fail') ? `${n('fail')} problem(s) to fix, ${n('warn')} warning(s)` : `no problems${n('warn') ? `, ${n('warn')} warning(s)` : ''}`);
  return lines.join('\n');
}

export function registerDoctorCommand(program: Command): Command {
  return program
    .command('doctor')
    .description('check Redis, InfluxDB, the GitHub token, session folders, disk and board settings, and say how to fix each problem')
    .option('--out <dir>', 'dataset folder whose disk to check (HARVEST_OUT, default ./data)')
    .option('--json', 'print the checks as one JSON object')
    .action(async (o: { out?: string; json?: boolean }) => {
      const results = await runDoctor(process.env, o.out ? resolve(o.out) : undefined);
      const failed = results.some((r) => r.status === 'fail');
      process.stdout.write((o.json ? JSON.stringify({ ok: !failed, checks: results }) : formatDoctor(results)) + '\n');
      if (failed) process.exitCode = EXIT_FAILED;
    });
}
