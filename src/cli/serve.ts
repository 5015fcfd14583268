// `harvest serve [--host H] [--port N] [--read-only]`: Bull Board at /board, /healthz, /metrics, and
// the mounted HTTP features, until SIGTERM.
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type HarvestConfig } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { createServer, type HarvestServer, type HttpFeature } from '../http/server.ts';
import { HTTP_FEATURES } from '../http/features.ts';
import { loadHttpAuth } from '../http/auth.ts';

export interface ServeOptions {
  host: string;
  port: number;
  readOnly?: boolean;
  features?: HttpFeature[];
}

export const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
};

/** Creates and starts the server; credentials are checked before anything listens. */
export async function startServe(cfg: HarvestConfig, log: Logger, o: ServeOptions): Promise<HarvestServer & { url: string }> {
  const auth = loadHttpAuth(process.env, { readOnly: o.readOnly });
  const server = await createServer({ cfg, log, auth, routes: o.features ?? HTTP_FEATURES });
  try {
    const { url } = await server.listen(o.host, o.port);
    return Object.assign(server, { url });
  } catch (e) {
    await server.close();
    throw e;
  }
}

export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

export function addServeOptions(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'address to listen on (beyond loopback needs HARVEST_AUTH)', '127.0.0.1')
    .option('--port <n>', 'port to listen on', port, 3000)
    .option('--read-only', 'everyone read-only: board actions answer 405');
}

export function registerServeCommand(program: Command): void {
  addServeOptions(program
    .command('serve')
    .description('Bull Board at /board, /healthz and /metrics (auth: HARVEST_AUTH, HARVEST_VIEWER_AUTH, HARVEST_API_TOKEN)'))
    .action(async (o: { host: string; port: number; readOnly?: boolean }) => {
      const cfg = loadConfig();
      const log = createLogger();
      const server = await startServe(cfg, log, o);
      const sig = await untilSignal();
      log.info({ signal: sig }, 'stopping the server');
      await server.close();
    });
}
