// Which session files a dataset holds, at which size and mtime, so a producer skips an unchanged
// file without opening it or enqueueing it (a re-run over an unchanged corpus is cheap). Keyed by the
// dataset (see dataset-namespace.ts): a file processed into one folder is new to another.
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
  /** `ns`: the dataset's key namespace (`<prefix>:ds:<dataset id>`). */
  constructor(private readonly redis: Redis, ns: string) {
    this.key = `${ns}:files`;
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

/** Processed when any of these ledgers holds the file (the datasets a fleet's live workers write). */
export function processedInAny(ledgers: FileLedger[]): (files: FileVersion[]) => Promise<boolean[]> {
  return async (files) => {
    const out = files.map(() => false);
    for (const l of ledgers) (await l.processed(files)).forEach((p, i) => (out[i] ||= p));
    return out;
  };
}
