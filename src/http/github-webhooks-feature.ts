// `POST /webhooks/github`: GitHub's webhook deliveries, signed with GITHUB_WEBHOOK_SECRET
// (X-Hub-Signature-256 over the raw body). Pull request, review, review thread, check and status
// events queue a deduplicated re-observation of the PRs they touched (or of the whole repository,
// when only a commit is named), so a burst of deliveries makes one poll. Answers: 200 to a ping,
// 202 queued or ignored (unknown events), 400 for a body that is not a JSON object, 401 for a bad
// signature, 503 without a secret or when the queue cannot be reached (GitHub redelivers on request).
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from '../log.ts';
import { loadGithubSettings } from '../config-github.ts';
import { affectedPullRequests, HANDLED_EVENTS, verifySignature } from './github-webhook.ts';
import { enqueuePoll, PR_POLL_QUEUE, REPO_RE, type PrPollJob } from '../../queues/pr-poll.ts';
import type { HttpContext, HttpFeature } from './server.ts';

export const GITHUB_WEBHOOK_PATH = '/webhooks/github';
/** GitHub caps a delivery at 25 MB. */
const BODY_LIMIT = '25mb';
const ENQUEUE_TIMEOUT_MS = 5000;

export interface WebhookPoll {
  repo: string;
  numbers?: number[];
}

export interface GithubWebhookDeps {
  /** GITHUB_WEBHOOK_SECRET; without one every delivery is refused (503). */
  secret: string | undefined;
  /** Queues a deduplicated re-observation; `added` false when merged into a pending one. */
  enqueue: (poll: WebhookPoll) => Promise<{ added: boolean }>;
  log?: Logger;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`queueing took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/** The payload as GitHub sends it: JSON, or a form with a `payload` field (content type form). */
function parsePayload(req: Request): unknown {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const text = req.is('application/x-www-form-urlencoded') ? (new URLSearchParams(raw).get('payload') ?? '') : raw;
  return JSON.parse(text);
}

export function githubWebhooksRouter(deps: GithubWebhookDeps): Router {
  const router = express.Router();
  router.post(
    GITHUB_WEBHOOK_PATH,
    express.raw({ type: () => true, limit: BODY_LIMIT }),
    async (req: Request, res: Response) => {
      if (!deps.secret) {
        res.status(503).json({ error: 'GitHub webhooks are off: set GITHUB_WEBHOOK_SECRET on the server' });
        return;
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verifySignature(deps.secret, body, req.get('x-hub-signature-256'))) {
        res.status(401).json({ error: 'missing or invalid X-Hub-Signature-256 (check the webhook secret)' });
        return;
      }
      const event = req.get('x-github-event') ?? '';
      const delivery = req.get('x-github-delivery') ?? null;
      if (event === 'ping') {
        res.status(200).json({ ok: true, event, delivery });
        return;
      }
      if (!event) {
        res.status(400).json({ error: 'missing X-GitHub-Event header' });
        return;
      }
      if (!HANDLED_EVENTS.includes(event)) {
        res.status(202).json({ ignored: true, event, delivery });
        return;
      }
      let payload: unknown;
      try {
        payload = parsePayload(req);
      } catch (e) {
        res.status(400).json({ error: `the body is not valid JSON: ${(e as Error).message}` });
        return;
      }
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        res.status(400).json({ error: 'the body is not a JSON object' });
        return;
      }
      const affected = (affectedPullRequests(event, payload) ?? []).filter((a) => REPO_RE.test(a.repo));
      let queued = 0;
      let deduplicated = 0;
      try {
        for (const a of affected) {
          const r = await withTimeout(deps.enqueue(a.kind === 'pulls' ? { repo: a.repo, numbers: a.numbers } : { repo: a.repo }), ENQUEUE_TIMEOUT_MS);
          if (r.added) queued++;
          else deduplicated++;
        }
      } catch (e) {
        deps.log?.warn({ err: (e as Error).message, event, delivery }, 'could not queue a webhook re-observation');
        res.status(503).json({ error: 'the pr-poll queue is unavailable; redeliver later' });
        return;
      }
      deps.log?.debug({ event, delivery, queued, deduplicated }, 'github webhook');
      res.status(202).json({ event, delivery, polls: affected.length, queued, deduplicated });
    },
  );
  router.use(GITHUB_WEBHOOK_PATH, (err: Error & { type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.too.large') {
      res.status(413).json({ error: `the body is larger than ${BODY_LIMIT}` });
      return;
    }
    next(err);
  });
  return router;
}

/** The endpoint on any express app (mount it before any body parser of the app). */
export function mountGithubWebhooks(app: Express, deps: GithubWebhookDeps): void {
  app.use(githubWebhooksRouter(deps));
}

/** Queues a webhook re-observation on `queue`: deduplicated per repository and PRs, after `settleMs`. */
export function webhookEnqueuer(queue: Queue<PrPollJob>, settleMs: number): GithubWebhookDeps['enqueue'] {
  return (p) => enqueuePoll(queue, { repo: p.repo, ...(p.numbers?.length ? { numbers: p.numbers } : {}), reason: 'webhook' }, { delayMs: settleMs });
}

/** The webhook endpoint as a feature of `harvest serve`, queueing through the server's queue set. */
export function githubWebhooksFeature(opts: { secret?: string; settleMs?: number; env?: NodeJS.ProcessEnv } = {}): HttpFeature {
  return {
    name: 'github-webhooks',
    mount(app: Express, ctx: HttpContext) {
      const settings = loadGithubSettings(opts.env ?? process.env);
      const queue = ctx.queues.get(PR_POLL_QUEUE) as Queue<PrPollJob> | undefined;
      if (!queue) throw new Error(`the server has no ${PR_POLL_QUEUE} queue; add it to queues/index.ts`);
      const secret = opts.secret ?? settings.webhookSecret;
      if (!secret) ctx.log.warn('GITHUB_WEBHOOK_SECRET is not set: POST /webhooks/github refuses every delivery');
      mountGithubWebhooks(app, { secret, enqueue: webhookEnqueuer(queue, opts.settleMs ?? settings.webhookSettleMs), log: ctx.log });
    },
  };
}
