// What the fault tests share: a private redis-server they may kill, wipe or restart; workers and
// backfills through the real command line; and a reader of the raw shard files that knows nothing
// of harvest's shard code (readdir, readFile, JSON.parse), as a trainer reading the JSONL would.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { redisAnswers } from '../../src/cli/ensure-redis.ts';
import { freePort } from '../support/free-port.ts';
import { runCli, startCli, waitExit, type CliResult } from '../support/harvest-cli.ts';
import { SESSION_FILE_QUEUE } from '../../queues/session-file.ts';

export const tmp = (name: string, dirs: string[]): string => {
  const d = mkdtempSync(join(tmpdir(), `harvest-fault-${name}-`));
  dirs.push(d);
  return d;
};

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  /** kill -9: nothing flushed beyond what the server already wrote. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder (its AOF, if any, is loaded). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of the test's own, on a free port: the shared one is never killed or wiped. */
export async function startRedisServer(opts: { aof?: boolean; dirs: string[] }): Promise<RedisServer> {
  const port = await freePort();
  const dir = tmp('redis', opts.dirs);
  let child: ChildProcess | null = null;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction',
    ...(opts.aof ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no'])];
  const halt = async (signal: NodeJS.Signals) => {
    const c = child;
    child = null;
    if (c && c.exitCode === null) {
      c.kill(signal);
      await waitExit(c);
    }
  };
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await until('redis-server to answer', () => redisAnswers(`redis://127.0.0.1:${port}`, 500), 10_000);
    },
    kill: () => halt('SIGKILL'),
    stop: () => halt('SIGTERM'),
  };
  await server.start();
  return server;
}

/** Raw lines of every sealed `.jsonl` under `<out>/samples`, and what else lies there. */
export interface RawDataset {
  /** Every line, by `record_id@version`. */
  byRecord: Map<string, string[]>;
  lines: number;
  /** Files that are not sealed shards or their manifests (open shards, commit logs, locks...). */
  unsealed: string[];
}

export function readRaw(out: string): RawDataset {
  const byRecord = new Map<string, string[]>();
  const unsealed: string[] = [];
  let lines = 0;
  const walk = (d: string) => {
    let ents;
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
        continue;
      }
      if (e.name.endsWith('.manifest.json')) continue;
      if (!e.name.endsWith('.jsonl')) {
        unsealed.push(p);
        continue;
      }
      for (const line of readFileSync(p, 'utf8').split('\n')) {
        if (!line) continue;
        const m = (JSON.parse(line) as { metadata: { record_id: string; version: number } }).metadata;
        const key = `${m.record_id}@${m.version}`;
        byRecord.set(key, [...(byRecord.get(key) ?? []), line]);
        lines++;
      }
    }
  };
  walk(join(out, 'samples'));
  return { byRecord, lines, unsealed };
}

export interface Comparison {
  expected: number;
  found: number;
  /** Raw lines beyond the first of a record. */
  duplicates: number;
  missing: string[];
  extra: string[];
  /** Records whose line differs from the undisturbed run's. */
  different: string[];
}

export function compare(got: RawDataset, ref: RawDataset): Comparison {
  const missing = [...ref.byRecord.keys()].filter((k) => !got.byRecord.has(k));
  const extra = [...got.byRecord.keys()].filter((k) => !ref.byRecord.has(k));
  const different = [...got.byRecord].filter(([k, ls]) => ref.byRecord.has(k) && ls.some((l) => l !== ref.byRecord.get(k)![0])).map(([k]) => k);
  return { expected: ref.byRecord.size, found: got.byRecord.size, duplicates: got.lines - got.byRecord.size, missing, extra, different };
}

/** The fault table printed at the end: each fault, records expected and found, duplicate raw lines. */
export const table: { fault: string; expected: number; found: number; duplicates: number; seconds: number }[] = [];

export function printTable(): void {
  if (table.length === 0) return;
  const rows = [['fault', 'expected', 'found', 'duplicate raw lines', 's'], ...table.map((r) => [r.fault, String(r.expected), String(r.found), String(r.duplicates), r.seconds.toFixed(1)])];
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(rows.map((r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(' | ')} |`).join('\n'));
}

export interface Fleet {
  env: NodeJS.ProcessEnv;
  redis: Redis;
  queue: Queue;
  close(): Promise<void>;
}

/** A Redis connection and the session-file queue of one prefix, for waiting on the work. */
export function fleet(url: string, prefix: string, env: NodeJS.ProcessEnv): Fleet {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  const queue = new Queue(SESSION_FILE_QUEUE, { connection: redis, prefix });
  queue.on('error', () => undefined);
  return {
    env,
    redis,
    queue,
    async close() {
      await queue.close().catch(() => undefined);
      redis.disconnect();
    },
  };
}

export async function completed(f: Fleet): Promise<{ completed: number; failed: number }> {
  const c = await f.queue.getJobCounts('completed', 'failed');
  return { completed: c.completed ?? 0, failed: c.failed ?? 0 };
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
}

export async function startWorker(env: NodeJS.ProcessEnv, out: string, extra: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  return startCli(['worker', '--out', out, '--queues', SESSION_FILE_QUEUE], { ...env, ...extra });
}

export async function stopWorker(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  return waitExit(child);
}

export async function mustRun(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  const r = await runCli(args, env, 180_000);
  if (r.code !== 0) throw new Error(`harvest ${args.join(' ')} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  return r;
}

export function removeDirs(dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

export const hasRedisServer = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * One fault test file's setup: a corpus, the undisturbed run of it, and the steps every fault
 * shares (workers on one folder, waiting for the work, sealing what is left, checking the folder).
 */
export class FaultBench {
  readonly dirs: string[] = [];
  private readonly prefixes: string[] = [];
  private readonly cleanups: (() => Promise<void> | void)[] = [];
  corpus = '';
  ref!: RawDataset;

  constructor(readonly sessions: number, private readonly dropPrefix: (p: string) => Promise<void>, private readonly sharedUrl: string) {}

  /** Writes the corpus (with `write`) and runs the undisturbed backfill of it. */
  async setup(write: (dir: string, sessions: number) => void): Promise<void> {
    this.corpus = tmp('corpus', this.dirs);
    write(this.corpus, this.sessions);
    const { env } = this.fresh('ref');
    const out = tmp('ref', this.dirs);
    await mustRun(['backfill', '--claude', this.corpus, '--out', out, '--inline', '--json'], env);
    this.ref = readRaw(out);
    if (this.ref.byRecord.size < this.sessions || this.ref.lines !== this.ref.byRecord.size) {
      throw new Error(`the undisturbed run is not a reference: ${this.ref.lines} lines, ${this.ref.byRecord.size} records`);
    }
  }

  onCleanup(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  async teardown(): Promise<void> {
    for (const c of this.cleanups.reverse()) await c();
    for (const p of this.prefixes) await this.dropPrefix(p);
    removeDirs(this.dirs);
    printTable();
  }

  envFor(prefix: string, redisUrl = this.sharedUrl, roots = this.corpus): NodeJS.ProcessEnv {
    return {
      REDIS_URL: redisUrl,
      HARVEST_PREFIX: prefix,
      HARVEST_ROOTS: roots,
      HARVEST_SEAL_IDLE_MS: '300',
      HARVEST_CONCURRENCY: '1',
      // A dead worker's job comes back after 3 s instead of 30.
      HARVEST_JOB_LOCK_MS: '3000',
    };
  }

  /** A prefix of the fault's own (removed afterwards when on the shared Redis) and its environment. */
  fresh(name: string, redisUrl = this.sharedUrl): { prefix: string; env: NodeJS.ProcessEnv } {
    const prefix = `htest-fault-${name}-${Math.random().toString(16).slice(2, 10)}`;
    if (redisUrl === this.sharedUrl) this.prefixes.push(prefix);
    return { prefix, env: this.envFor(prefix, redisUrl) };
  }

  tmp(name: string): string {
    return tmp(name, this.dirs);
  }

  /** Checks a folder against the undisturbed run (raw lines, plain JSON) and adds the fault's row. */
  verify(fault: string, out: string, t0: number, reference = this.ref): void {
    const got = readRaw(out);
    const c = compare(got, reference);
    table.push({ fault, expected: c.expected, found: c.found, duplicates: c.duplicates, seconds: (Date.now() - t0) / 1000 });
    const left = got.unsealed.filter((p) => !p.includes('/.locks'));
    if (left.length) throw new Error(`not every shard sealed, or something left beside them: ${left.join(', ')}`);
    const problems = [
      c.missing.length && `${c.missing.length} records missing`,
      c.extra.length && `${c.extra.length} records the undisturbed run does not have`,
      c.different.length && `${c.different.length} lines unlike the undisturbed run's`,
      c.duplicates && `${c.duplicates} duplicate raw lines`,
    ].filter(Boolean);
    if (problems.length) throw new Error(`${fault}: ${problems.join('; ')}`);
  }

  async drained(f: Fleet, n = this.sessions, timeoutMs = 240_000): Promise<void> {
    await until(`${n} session files done`, async () => {
      const c = await completed(f);
      if (c.failed > 0) throw new Error(`${c.failed} jobs failed for good`);
      return c.completed >= n;
    }, timeoutMs, 100);
  }

  /** Two workers on one folder, the backfill enqueued; `during` does the damage and waits for the work. */
  async twoWorkers(name: string, env: NodeJS.ProcessEnv, redisUrl: string, during: (f: Fleet, workers: WorkerProcess[], out: string) => Promise<void>, extra: NodeJS.ProcessEnv[] = [{}, {}]) {
    const out = this.tmp(name);
    const f = fleet(redisUrl, env.HARVEST_PREFIX!, env);
    this.onCleanup(() => f.close());
    const workers = await Promise.all(extra.map((x) => startWorker(env, out, x)));
    this.onCleanup(() => {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    });
    await mustRun(['backfill', '--claude', this.corpus], env);
    await during(f, workers, out);
    return { out, f, workers };
  }

  /** Stops the workers (SIGTERM: they seal), then `shards recover` seals what the dead ones left. */
  async finish(out: string, env: NodeJS.ProcessEnv, workers: WorkerProcess[]): Promise<void> {
    for (const w of workers) {
      const code = await stopWorker(w.child);
      if (w.child.signalCode !== 'SIGKILL' && code !== 0) throw new Error(`a worker did not stop cleanly (${code}):\n${w.output().slice(-2000)}`);
    }
    await mustRun(['shards', 'recover', '--out', out], env);
  }
}

/** Whether a worker has a commit log in the folder (it has written something). */
export function committedBy(out: string, workerId: string): boolean {
  const walk = (d: string): boolean => {
    let ents;
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return false;
    }
    return ents.some((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.startsWith(`part-${workerId}-`) && e.name.endsWith('.commits')));
  };
  return walk(join(out, 'samples'));
}
