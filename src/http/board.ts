// Bull Board at /board: every harvest queue with its description. Job data, return values, names,
// errors, stack traces and logs are scrubbed of secrets before the board shows them. Read-only
// requests get a board whose queues are read-only (actions hidden), and 405 for any action.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { appRoutes } from '@bull-board/api/dist/routes.js';
import { ExpressAdapter } from '@bull-board/express';
import type { Job, Queue } from 'bullmq';
import type { Express, RequestHandler } from 'express';
import type { QueueInfo } from '../../queues/index.ts';
import { processPrivacy } from '../config.ts';
import { scrubberFor } from '../transforms/scrub.ts';
import { refuseWritesWhenReadOnly, requestAccess } from './auth.ts';

export const BOARD_PATH = '/board';

/** The board API routes that change state (everything but GET), as `METHOD /board/api/...`. */
export function boardMutatingRoutes(basePath = BOARD_PATH): { method: string; route: string }[] {
  return appRoutes.api
    .filter((r) => r.method !== 'get')
    .flatMap((r) => {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      const routes = Array.isArray(r.route) ? r.route : [r.route];
      return methods.flatMap((m) => routes.map((route) => ({ method: m.toUpperCase(), route: basePath + route })));
    });
}

// harvest's own secrets (and what HARVEST_PRIVACY adds) are known by value, not only by shape.
const scrubText = (s: string, counts = {}): string => scrubberFor(processPrivacy()).text(s, counts);
const scrub = <T>(v: T): T => scrubberFor(processPrivacy()).deep(v, {});

/** Scrubs what formatters cannot reach: the error text and stack trace of a failed job. */
function scrubbedJob<J extends Job>(job: J): J {
  const toJSON = job.toJSON.bind(job);
  Object.defineProperty(job, 'toJSON', {
    configurable: true,
    value: () => {
      const j = toJSON();
      return {
        ...j,
        failedReason: typeof j.failedReason === 'string' ? scrubText(j.failedReason, {}) : j.failedReason,
        stacktrace: Array.isArray(j.stacktrace) ? j.stacktrace.map((s: unknown) => (typeof s === 'string' ? scrubText(s, {}) : s)) : j.stacktrace,
        opts: scrub(j.opts),
      };
    },
  });
  return job;
}

class ScrubbingBullMQAdapter extends BullMQAdapter {
  constructor(queue: Queue, info: QueueInfo, readOnlyMode: boolean) {
    super(queue, { description: info.description, readOnlyMode });
    this.setFormatter('data', scrub);
    this.setFormatter('returnValue', scrub);
    this.setFormatter('progress', scrub);
    this.setFormatter('name', (j: { name?: string }) => scrubText(j?.name ?? '', {}));
  }

  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id);
    return job ? scrubbedJob(job) : job;
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return (await super.getJobs(...args)).map(scrubbedJob);
  }

  override async getJobLogs(id: string): Promise<string[]> {
    return (await super.getJobLogs(id)).map((l) => scrubText(l, {}));
  }
}

function boardRouter(queues: { info: QueueInfo; queue: Queue }[], readOnly: boolean, basePath: string): RequestHandler {
  const server = new ExpressAdapter();
  server.setBasePath(basePath);
  createBullBoard({
    queues: queues.map(({ info, queue }) => new ScrubbingBullMQAdapter(queue, info, readOnly)),
    // @bull-board/express pins its own copy of @bull-board/api; the shapes are the same.
    serverAdapter: server as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'harvest', hideDocsLink: true } },
  });
  return server.getRouter() as RequestHandler;
}

/**
 * Mounts the board behind `auth`: one board for full access and one whose queues are read-only,
 * chosen per request by the access `auth` granted.
 */
export function mountBoard(app: Express, queues: { info: QueueInfo; queue: Queue }[], auth: RequestHandler, basePath = BOARD_PATH): void {
  const full = boardRouter(queues, false, basePath);
  const read = boardRouter(queues, true, basePath);
  app.use(basePath, auth, refuseWritesWhenReadOnly(), (req, res, next) => (requestAccess(res) === 'full' ? full : read)(req, res, next));
}
