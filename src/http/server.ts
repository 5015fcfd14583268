// The HTTP face of harvest (`harvest serve`): Bull Board, /healthz, /metrics, and whatever features
// (events API, GitHub webhooks) mount on it. No global body parser: each feature parses its own
// bodies (a webhook needs the raw bytes for its signature).
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Redis } from 'ioredis';
import type { HarvestConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { clientConnection } from '../../queues/connection.ts';
import { QUEUES, type QueueInfo } from '../../queues/index.ts';
import { QueueSet, pingRedis, takeSnapshot } from '../ops/snapshot.ts';
import { WorkerRegistry } from '../state/worker-registry.ts';
import { assertSafeListen, authConfigured, authenticate, isLoopback, loadHttpAuth, requestAccess, type HttpAuth } from './auth.ts';
import { mountBoard, BOARD_PATH } from './board.ts';
import { HarvestMetrics } from './metrics.ts';

export interface HttpContext {
  cfg: HarvestConfig;
  log: Logger;
  /** The server's Redis connection (fails fast when Redis is down). */
  redis: Redis;
  /** Queue objects of every harvest queue, on `redis`. */
  queues: QueueSet;
  auth: HttpAuth;
  /** 401 unless the request brings valid credentials (or none are configured on loopback). */
  authenticate: RequestHandler;
  /** 403 unless the request has full (not read-only) access; use after `authenticate`. */
  requireFullAccess: RequestHandler;
}

/** Something that adds routes to the server: the events API, GitHub webhooks... */
export interface HttpFeature {
  name: string;
  mount(app: Express, ctx: HttpContext): void | Promise<void>;
  close?(): Promise<void>;
}

export interface ServerOptions {
  cfg: HarvestConfig;
  log: Logger;
  routes?: HttpFeature[];
  /** Default: from HARVEST_AUTH, HARVEST_VIEWER_AUTH, HARVEST_API_TOKEN. */
  auth?: HttpAuth;
  /** Default: every harvest queue. */
  queues?: QueueInfo[];
}

export interface HarvestServer {
  app: Express;
  ctx: HttpContext;
  /** Refuses a non-loopback host without credentials. */
  listen(host: string, port: number): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

const requireFullAccess: RequestHandler = (_req, res, next) => {
  if (requestAccess(res) === 'full') return next();
  res.status(403).json({ error: 'read-only access: this needs the full-access credential' });
};

export async function createServer(opts: ServerOptions): Promise<HarvestServer> {
  const { cfg, log } = opts;
  const auth = opts.auth ?? loadHttpAuth();
  const redis = clientConnection({ redisUrl: cfg.redisUrl, prefix: cfg.prefix });
  redis.on('error', (err) => log.debug({ err: err.message }, 'redis connection error'));
  const queues = new QueueSet(redis, cfg.prefix, opts.queues ?? QUEUES);
  for (const { queue } of queues.queues) queue.on('error', (err) => log.debug({ err: err.message }, 'queue connection error'));
  const ctx: HttpContext = { cfg, log, redis, queues, auth, authenticate: authenticate(auth), requireFullAccess };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/', (_req, res) => res.redirect(BOARD_PATH));

  // Public: load balancers and orchestrators probe it without credentials. No names, only counts.
  app.get('/healthz', async (_req, res) => {
    const r = await pingRedis(redis);
    const body: Record<string, unknown> = { status: r.ok ? 'ok' : 'unavailable', redis: r };
    if (r.ok) {
      try {
        const live = await new WorkerRegistry(redis, cfg.prefix).list();
        body.queues = Object.fromEntries(queues.queues.map(({ info }) => [info.name, { workers: live.filter((w) => w.queues?.includes(info.name)).length }]));
        body.workers = live.length;
      } catch (e) {
        body.status = 'unavailable';
        body.error = (e as Error).message;
      }
    }
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });

  const metrics = new HarvestMetrics(() => takeSnapshot(redis, cfg.prefix, queues));
  app.get('/metrics', ctx.authenticate, async (_req, res) => {
    const m = await metrics.render();
    res.set('Content-Type', m.contentType).send(m.body);
  });

  mountBoard(app, queues.queues, ctx.authenticate);

  for (const f of opts.routes ?? []) {
    await f.mount(app, ctx);
    log.debug({ feature: f.name }, 'http feature mounted');
  }

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((err: Error & { status?: number; statusCode?: number }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status ?? err.statusCode ?? 500;
    if (status >= 500) log.error({ err }, 'http request failed');
    if (!res.headersSent) res.status(status).json({ error: status >= 500 ? 'internal error' : err.message });
  });

  let server: Server | null = null;
  let closing: Promise<void> | null = null;
  return {
    app,
    ctx,
    async listen(host, port) {
      assertSafeListen(host, auth);
      if (!authConfigured(auth)) log.warn({ host }, 'no HARVEST_AUTH configured: the board is open to anyone on this machine');
      server = createHttpServer(app);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      const url = `http://${shown}:${a.port}`;
      log.info({ url: `${url}${BOARD_PATH}`, loopback: isLoopback(host), readOnly: auth.readOnly }, 'serving the board');
      return { url, port: a.port };
    },
    close() {
      closing ??= (async () => {
        if (server) {
          const s = server;
          const closed = new Promise<void>((r) => s.close(() => r()));
          s.closeAllConnections();
          await closed;
        }
        for (const f of opts.routes ?? []) await f.close?.().catch((err) => log.warn({ err, feature: f.name }, 'closing http feature failed'));
        await queues.close().catch(() => undefined);
        redis.disconnect();
      })();
      return closing;
    },
  };
}
