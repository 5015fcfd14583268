// A private redis-server for one test (a free loopback port, its own folder), with settings the
// test chooses: the shared Redis is never reconfigured.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './free-port.ts';

export const hasRedisServer = (): boolean => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

export async function startRedisServer(args: string[] = []): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'harvest-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await waitFor('redis-server', async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited ${child.exitCode}`);
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) await new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
