// `POST /v1/events`: one event, an array of up to 1000, or `{"events": [...]}`, as JSON. Needs
// `Authorization: Bearer <HARVEST_API_TOKEN>` (compared in constant time). Answers 202 with the
// accepted ids, 400 with per-field errors (nothing recorded), 401 without the token, 503 when the
// queue cannot be reached (retry: the same event keeps its id, so a retry never records twice).
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Queue } from 'bullmq';
import type { Logger } from '../log.ts';
import { parseEventInputs, MAX_EVENTS_PER_REQUEST, type EventRecord } from '../model/event.ts';
import { enqueueEvents, EVENTS_QUEUE, type EventJob } from '../../queues/events.ts';
import { safeEqual } from './auth.ts';
import type { HttpContext, HttpFeature } from './server.ts';

export const EVENTS_PATH = '/v1/events';
const SUBMIT_TIMEOUT_MS = 5000;

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => undefined),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`queueing took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

/** 1000 events of a few KB each. */
const BODY_LIMIT = '16mb';

export interface EventsApiOptions {
  /** The bearer token (HARVEST_API_TOKEN); without one every request is refused (503). */
  token: string | undefined;
  /** Queues the records; resolves once they are in Redis. */
  submit: (records: EventRecord[]) => Promise<void>;
  log?: Logger;
  now?: () => number;
}

function bearerOk(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  // Compared even when absent, so the answer takes the same time either way.
  return safeEqual(m ? m[1].trim() : '', token) && m !== null;
}

/** The router alone: mount it on any express app. */
export function eventsRouter(opts: EventsApiOptions): Router {
  const router = express.Router();
  router.post(
    EVENTS_PATH,
    (req: Request, res: Response, next: NextFunction) => {
      if (!opts.token) {
        res.status(503).json({ error: 'the events API is off: set HARVEST_API_TOKEN on the server' });
        return;
      }
      if (!bearerOk(req.get('authorization'), opts.token)) {
        res.set('WWW-Authenticate', 'Bearer realm="harvest"');
        res.status(401).json({ error: 'a valid bearer token (HARVEST_API_TOKEN) is required' });
        return;
      }
      next();
    },
    express.json({ limit: BODY_LIMIT, strict: false, type: ['application/json', 'application/*+json'] }),
    async (req: Request, res: Response) => {
      if (!req.is('application/json') && !req.is('application/*+json')) {
        res.status(415).json({ error: 'send the events as application/json' });
        return;
      }
      const parsed = parseEventInputs(req.body, 'http', opts.now?.() ?? Date.now());
      if (!parsed.ok) {
        res.status(400).json({ error: 'invalid events; nothing was recorded', issues: parsed.issues });
        return;
      }
      try {
        await opts.submit(parsed.records);
      } catch (e) {
        opts.log?.warn({ err: (e as Error).message, events: parsed.records.length }, 'could not queue events');
        res.status(503).json({ error: 'the event queue is unavailable; retry (a retry records each event once)' });
        return;
      }
      res.status(202).json({ accepted: parsed.records.length, ids: parsed.records.map((r) => r.id) });
    },
  );
  // Body errors (bad JSON, too large) as JSON, before anything is recorded.
  router.use(EVENTS_PATH, (err: Error & { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'the body is not valid JSON; nothing was recorded', issues: [{ path: '(body)', message: err.message }] });
      return;
    }
    if (err.type === 'entity.too.large') {
      res.status(413).json({ error: `the body is too large: send at most ${MAX_EVENTS_PER_REQUEST} events per request` });
      return;
    }
    next(err);
  });
  return router;
}

/** The events API as a feature of `harvest serve`, queueing through the server's queue set. */
export function eventsApiFeature(opts: { token?: string; env?: NodeJS.ProcessEnv } = {}): HttpFeature {
  return {
    name: 'events-api',
    mount(app: Express, ctx: HttpContext) {
      const queue = ctx.queues.get(EVENTS_QUEUE) as Queue<EventJob> | undefined;
      if (!queue) throw new Error(`the server has no ${EVENTS_QUEUE} queue; add it to queues/index.ts`);
      app.use(eventsRouter({
        token: opts.token ?? ctx.auth.token ?? (opts.env ?? process.env).HARVEST_API_TOKEN,
        submit: (records) => withTimeout(enqueueEvents(queue, records), SUBMIT_TIMEOUT_MS),
        log: ctx.log,
      }));
    },
  };
}
