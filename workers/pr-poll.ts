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
import { IncompleteObservationError, pollPullRequests, type FollowUpPoll } from '../src/pipeline/pr-poll.ts';
import { createGithubClient, resolveGithubToken, withRequestOptions, type GithubClientOptions } from '../src/sources/github/client.ts';
import { describeGithubFailure, GithubRequestError, RateLimitedError } from '../src/sources/github/errors.ts';
import type { RateLimitInfo } from '../src/sources/github/snapshot.ts';
import { influxSettingsFromEnv } from '../src/sources/influx/settings.ts';
import { createPointSink } from '../src/sinks/influx/create-point-sink.ts';
import { PermanentWriteError } from '../src/sinks/influx/errors.ts';
import { InvalidPointError } from '../src/sinks/line-protocol/encode.ts';
import { attemptsBefore } from '../src/state/pr-actions.ts';
import { OpenSets } from '../src/state/pr-open-sets.ts';
import { PrLifecycleStore } from '../src/state/pr-lifecycles.ts';
import { WorkerRegistry } from '../src/state/worker-registry.ts';
import { githubRateLimitKey } from '../src/ops/snapshot.ts';
import { PR_POLL_QUEUE, canonicalizeSchedule, enqueuePoll, prPollJobSchema, prPollQueue, type PrPollJob } from '../queues/pr-poll.ts';
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

/** What a poll job keeps in its progress: its observation time, and the attempts that failed. */
export interface PrPollProgress {
  observedAt?: number;
  /** The last failed attempt (1-based), of how many, why, and the wait before the next. */
  failure?: { attempt: number; of: number; message: string; retryInMs: number | null };
}

/** A poll a person waits for (`harvest poll --once`): no retries inside a request, a short timeout,
 *  so an unreachable GitHub is reported in seconds; the job's own few attempts still apply. */
const ONCE_REQUESTS = { retries: 0, timeoutMs: 15_000 };

/** The line a failed attempt leaves: what happened and, when there is one, the fix. */
function failureLine(e: Error): string {
  const d = describeGithubFailure(e);
  return d.fix ? `${d.message}; ${d.fix}` : d.message;
}

/** A stable job id for a follow-up (BullMQ ids may not hold ':'). */
function followUpJobId(p: FollowUpPoll): string {
  return `${p.reason}-${createHash('sha256').update(p.key).digest('hex').slice(0, 24)}`;
}

/** How long BullMQ waits before this job's next attempt (its backoff), when known. */
function retryDelayOf(job: Job<PrPollJob>): number | null {
  const b = job.opts.backoff;
  if (typeof b === 'number') return b;
  if (!b || typeof b.delay !== 'number') return null;
  return b.type === 'exponential' ? b.delay * 2 ** job.attemptsMade : b.delay;
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
      // Octokit logs every failed request as an error; the poll handles them (retry, pause, flag).
      error: (m) => ghLog.warn(m),
    },
    ...opts.github,
  });
  const points: PointSink = opts.points ?? (await createPointSink({ ...influxSettingsFromEnv(env), outDir: cfg.outDir, writerId: workerId, privacy: cfg.privacy }));
  const queue = prPollQueue(ctx, state);
  const openSets = new OpenSets(state, cfg.prefix);
  const lifecycles = new PrLifecycleStore(state, cfg.prefix);
  const registry = new WorkerRegistry(state, cfg.prefix);
  const beat = () => registry.beat(workerId, { host: hostname(), queues: [PR_POLL_QUEUE], pid: process.pid });
  await beat();

  const saveRateLimit = async (r: RateLimitInfo): Promise<void> => {
    if (r.remaining < 0) return; // no answer carried one
    await state.set(githubRateLimitKey(cfg.prefix), JSON.stringify({ remaining: r.remaining, resetAt: r.resetAt, cost: r.cost })).catch(() => undefined);
  };
  const followUp = (inline: boolean) => async (polls: FollowUpPoll[]): Promise<(string | null)[]> => {
    const ids: (string | null)[] = [];
    for (const p of polls) {
      // A process serving its own poll exits when done: a delayed follow-up would run in the next one.
      if (inline && p.delayMs) {
        ids.push(null);
        continue;
      }
      const q = await enqueuePoll(queue, { repo: p.repo, numbers: p.numbers, reason: p.reason, ...(inline ? { inline } : {}) }, {
        delayMs: p.delayMs,
        jobId: followUpJobId(p),
        jobOptions: opts.followUpJobOptions,
      });
      ids.push(q.jobId);
    }
    return ids;
  };
  const onceClient = withRequestOptions(client, ONCE_REQUESTS);

  let worker: Worker<PrPollJob>;
  const processor = async (job: Job<PrPollJob>) => {
    const parsed = prPollJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid pr-poll job: ${parsed.error.issues[0]?.message}`);
    const data = parsed.data;
    const progress = (typeof job.progress === 'object' && job.progress !== null ? job.progress : {}) as PrPollProgress;
    const priorAt = typeof progress.observedAt === 'number' && Number.isFinite(progress.observedAt) ? progress.observedAt : undefined;
    let observedAt = priorAt;
    try {
      const result = await pollPullRequests(data, {
        client: data.reason === 'once' ? onceClient : client,
        points,
        attempts: (repo, pr, at) => attemptsBefore(state, cfg.prefix, repo, pr, at),
        openSets,
        followUp: followUp(data.inline === true),
        onRateLimit: saveRateLimit,
        onWritten: async (written) => void (await lifecycles.applyPoints(written)),
        onObserved: (at) => {
          observedAt = at;
          return at === priorAt ? undefined : job.updateProgress({ ...progress, observedAt: at });
        },
      }, {
        observedAt: priorAt,
        unknownRecheckMs: settings.unknownRecheckMs,
        incompleteRetryMs: settings.incompleteRetryMs,
      });
      // A schedule added as `Acme/WIDGETS` polls as GitHub spells it from now on.
      if (data.reason === 'schedule' && result.repo !== data.repo) {
        if (await canonicalizeSchedule(queue, result.repo)) log.info({ typed: data.repo, repo: result.repo }, 'schedule renamed as GitHub spells the repository');
      }
      return result;
    } catch (e) {
      // A person waiting on `harvest poll --once` sees each failed attempt (and each wait) as it happens.
      const of = job.opts.attempts ?? 1;
      const tell = (err: Error, retryInMs: number | null) =>
        job.updateProgress({ ...progress, ...(observedAt !== undefined ? { observedAt } : {}), failure: { attempt: job.attemptsMade + 1, of, message: failureLine(err), retryInMs } })
          .catch(() => undefined);
      if (e instanceof RateLimitedError) {
        if (e.limit === 'primary') await saveRateLimit({ remaining: 0, resetAt: e.until.toISOString(), cost: 0 });
        await tell(e, e.retryAfterMs);
        log.warn({ repo: data.repo, retryInMs: e.retryAfterMs, limit: e.limit }, 'GitHub rate limit: pausing the pr-poll queue');
        // The whole queue waits (every worker), and this job goes back to wait without using an attempt.
        await worker.rateLimit(e.retryAfterMs);
        throw Worker.RateLimitError();
      }
      const permanent = (e instanceof GithubRequestError && e.permanent) || e instanceof PermanentWriteError || e instanceof InvalidPointError;
      if (e instanceof Error && !permanent && job.attemptsMade + 1 < of) await tell(e, retryDelayOf(job));
      if (e instanceof GithubRequestError && e.permanent) throw new UnrecoverableError(failureLine(e));
      if (e instanceof GithubRequestError || e instanceof IncompleteObservationError) throw new Error(failureLine(e));
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
        await lifecycles.close();
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
