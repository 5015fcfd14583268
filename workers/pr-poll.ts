// Wires the `pr-poll` queue to the PR pipeline: the GitHub client (its limiter shared over Redis by
// every worker), the point sink (InfluxDB or line-protocol files, group commit across jobs), the
// repair-attempt lists and open sets in Redis. A GitHub rate limit pauses the whole queue until it
// ends (BullMQ's rate limiter), not just this job.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HarvestConfig } from '../src/config.ts';
import { loadGithubSettings, type GithubSettings } from '../src/config-github.ts';
import type { Logger } from '../src/log.ts';
import type { PointSink } from '../src/model/point.ts';
import { pollPullRequests, type FollowUpPoll } from '../src/pipeline/pr-poll.ts';
import { createGithubClient, resolveGithubToken, type GithubClientOptions } from '../src/sources/github/client.ts';
import { GithubRequestError, RateLimitedError } from '../src/sources/github/errors.ts';
import type { RateLimitInfo } from '../src/sources/github/snapshot.ts';
import { influxSettingsFromEnv } from '../src/sources/influx/settings.ts';
import { createPointSink } from '../src/sinks/influx/create-point-sink.ts';
import { PermanentWriteError } from '../src/sinks/influx/errors.ts';
import { InvalidPointError } from '../src/sinks/line-protocol/encode.ts';
import { attemptsBefore } from '../src/state/pr-actions.ts';
import { OpenSets } from '../src/state/pr-open-sets.ts';
import { WorkerRegistry } from '../src/state/worker-registry.ts';
import { githubRateLimitKey } from '../src/ops/snapshot.ts';
import { PR_POLL_QUEUE, enqueuePoll, prPollJobSchema, prPollQueue, type PrPollJob } from '../queues/pr-poll.ts';
import { clientConnection, workerConnection } from '../queues/connection.ts';
import { isFinalFailure } from './shard-owner.ts';
import { WorkerUnavailableError } from './unavailable.ts';

export interface PrPollWorkerOptions {
  env?: NodeJS.ProcessEnv;
  /** A sink to use instead of the configured one (tests). */
  points?: PointSink;
  /** Overrides of the GitHub client's options (tests: no inline waits, no spacing). */
  github?: Partial<Omit<GithubClientOptions, 'token'>>;
  /** Overrides of the settings read from the environment. */
  settings?: Partial<GithubSettings>;
  /** Options of the follow-up polls this worker queues (tests: a short backoff). */
  followUpJobOptions?: JobsOptions;
}

export interface RunningPrPollWorker {
  worker: Worker<PrPollJob>;
  points: PointSink;
  close(): Promise<void>;
}

/** A stable job id for a follow-up (BullMQ ids may not hold ':'). */
function followUpJobId(p: FollowUpPoll): string {
  return `${p.reason}-${createHash('sha256').update(p.key).digest('hex').slice(0, 24)}`;
}

export async function startPrPollWorker(
  cfg: HarvestConfig,
  log: Logger,
  concurrency = cfg.concurrency,
  opts: PrPollWorkerOptions = {},
): Promise<RunningPrPollWorker> {
  const env = opts.env ?? process.env;
  const settings: GithubSettings = { ...loadGithubSettings(env), ...opts.settings };
  if (!settings.token && !settings.tokenFile) {
    throw new WorkerUnavailableError(PR_POLL_QUEUE, `the ${PR_POLL_QUEUE} worker needs a GitHub token: set GITHUB_TOKEN or GITHUB_TOKEN_FILE`);
  }
  // A token file that is set but unreadable is a mistake to fix, not a queue to skip: it throws.
  const token = await resolveGithubToken({ token: settings.token, tokenFile: settings.tokenFile });

  const ctx = { redisUrl: cfg.redisUrl, prefix: cfg.prefix };
  const state: Redis = clientConnection(ctx, { maxRetriesPerRequest: null });
  const workerId = `${cfg.workerId}-pr-poll`;
  const ghLog = log.child({ component: 'github' });
  const client = createGithubClient({
    token,
    apiUrl: settings.apiUrl,
    redis: state,
    limiterId: `${cfg.prefix}:github`,
    minRequestIntervalMs: settings.minRequestIntervalMs,
    log: {
      debug: (m) => ghLog.debug(m),
      info: (m) => ghLog.info(m),
      warn: (m) => ghLog.warn(m),
      error: (m) => ghLog.error(m),
    },
    ...opts.github,
  });
  const points: PointSink = opts.points ?? (await createPointSink({ ...influxSettingsFromEnv(env), outDir: cfg.outDir, writerId: workerId, privacy: cfg.privacy }));
  const queue = prPollQueue(ctx, state);
  const openSets = new OpenSets(state, cfg.prefix);
  const registry = new WorkerRegistry(state, cfg.prefix);
  const beat = () => registry.beat(workerId, { host: hostname(), queues: [PR_POLL_QUEUE], pid: process.pid });
  await beat();

  const saveRateLimit = async (r: RateLimitInfo): Promise<void> => {
    if (r.remaining < 0) return; // no answer carried one
    await state.set(githubRateLimitKey(cfg.prefix), JSON.stringify({ remaining: r.remaining, resetAt: r.resetAt, cost: r.cost })).catch(() => undefined);
  };
  const followUp = async (polls: FollowUpPoll[]): Promise<void> => {
    for (const p of polls) {
      await enqueuePoll(queue, { repo: p.repo, numbers: p.numbers, reason: p.reason }, {
        delayMs: p.delayMs,
        jobId: followUpJobId(p),
        jobOptions: opts.followUpJobOptions,
      });
    }
  };

  let worker: Worker<PrPollJob>;
  const processor = async (job: Job<PrPollJob>) => {
    const parsed = prPollJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid pr-poll job: ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    const prior = (job.progress as { observedAt?: unknown } | undefined)?.observedAt;
    const priorAt = typeof prior === 'number' && Number.isFinite(prior) ? prior : undefined;
    try {
      return await pollPullRequests(data, {
        client,
        points,
        attempts: (repo, pr, at) => attemptsBefore(state, cfg.prefix, repo, pr, at),
        openSets,
        followUp,
        onRateLimit: saveRateLimit,
        onObserved: (at) => (at === priorAt ? undefined : job.updateProgress({ observedAt: at })),
      }, { observedAt: priorAt, unknownRecheckMs: settings.unknownRecheckMs });
    } catch (e) {
      if (e instanceof RateLimitedError) {
        if (e.limit === 'primary') await saveRateLimit({ remaining: 0, resetAt: e.until.toISOString(), cost: 0 });
        log.warn({ repo: data.repo, retryInMs: e.retryAfterMs, limit: e.limit }, 'GitHub rate limit: pausing the pr-poll queue');
        // The whole queue waits (every worker), and this job goes back to wait without using an attempt.
        await worker.rateLimit(e.retryAfterMs);
        throw Worker.RateLimitError();
      }
      if (e instanceof GithubRequestError && e.permanent) throw new UnrecoverableError(e.message);
      if (e instanceof PermanentWriteError || e instanceof InvalidPointError) throw new UnrecoverableError(e.message);
      throw e;
    }
  };

  const blocking = workerConnection(ctx);
  worker = new Worker<PrPollJob>(PR_POLL_QUEUE, processor, {
    connection: blocking,
    prefix: cfg.prefix,
    concurrency,
    // worker.rateLimit() only holds the queue when a limiter is set; this one never binds otherwise.
    limiter: { max: 1000, duration: 1000 },
    lockDuration: 60_000,
    stalledInterval: 30_000,
    maxStalledCount: 3,
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = isFinalFailure(job, err);
    log.warn({ repo: job.data.repo, reason: job.data.reason, attempt: job.attemptsMade, final }, `pr poll failed: ${err.message}`);
  });
  worker.on('error', (err) => log.error({ err }, 'pr-poll worker error'));

  const timer = setInterval(() => void beat().catch(() => undefined), 10_000);
  timer.unref();

  let closing: Promise<void> | null = null;
  return {
    worker,
    points,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await worker.close();
        await points.close();
        await client.close();
        await queue.close();
        await registry.remove(workerId).catch(() => undefined);
        // BullMQ leaves a connection it was given open.
        blocking.disconnect();
        state.disconnect();
      })();
      return closing;
    },
  };
}
