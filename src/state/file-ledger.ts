// Which session files were processed at which size and mtime, so a producer skips an unchanged
// file without opening it or enqueueing it (a re-run over an unchanged corpus is cheap).
import type { Redis } from 'ioredis';

export interface FileVersion {
  path: string;
  size: number;
  mtimeMs: number;
  /** One session of a file that holds many (an OpenCode store): tracked on its own. */
  sessionKey?: string;
}

const stamp = (f: FileVersion): string => `${f.size}:${Math.trunc(f.mtimeMs)}`;

/** The ledger's field for a file, or for one session of a file that holds many. */
export function ledgerField(f: Pick<FileVersion, 'path' | 'sessionKey'>): string {
  return f.sessionKey === undefined ? f.path : `${f.path}#${f.sessionKey}`;
}

export class FileLedger {
  readonly key: string;
  constructor(private readonly redis: Redis, prefix: string) {
    this.key = `${prefix}:files`;
  }

  async processed(files: FileVersion[]): Promise<boolean[]> {
    if (files.length === 0) return [];
    const got = await this.redis.hmget(this.key, ...files.map(ledgerField));
    return files.map((f, i) => got[i] === stamp(f));
  }

  async markProcessed(f: FileVersion): Promise<void> {
    await this.redis.hset(this.key, ledgerField(f), stamp(f));
  }
}
