// Finds Redis for a command: the configured one, or, when REDIS_URL was not set and nothing
// answers on the default address, a private redis-server for this run (data under ./data/redis).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisOptions } from '../../queues/connection.ts';
import { UserError } from '../user-error.ts';

/** No Redis to talk to: a setting to fix (exit 2), with what fixes it. */
export class RedisUnavailableError extends UserError {
  constructor(message: string, fix = 'start one (`redis-server`, or `apt-get install redis-server`) or set REDIS_URL to one that runs; `harvest doctor` checks it') {
    super(message, 2, fix);
    this.name = 'RedisUnavailableError';
  }
}

export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const r = new Redis(redisOptions(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false }));
  r.on('error', () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisHandle {
  url: string;
  /** Stops the private server, if this run started one. */
  stop(): Promise<void>;
  private: boolean;
}

export async function ensureRedis(url: string, explicit: boolean, dataDir: string): Promise<RedisHandle> {
  if (await redisAnswers(url)) return { url, stop: async () => undefined, private: false };
  const hasServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (explicit || !hasServer) {
    throw new RedisUnavailableError(`Redis is not reachable at ${safeUrl(url)}`);
  }
  const port = await freePort();
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const privateUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(privateUrl, 500)) {
      return {
        url: privateUrl,
        private: true,
        stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError('could not start a private redis-server', 'set REDIS_URL to a running Redis');
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}
