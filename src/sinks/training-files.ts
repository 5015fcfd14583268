// Training files as trainers read them: JSONL written streaming beside its final name, with bytes,
// line count and sha256 kept as it goes, fsynced and renamed into place only when complete.
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { fsyncDir } from './shards/shard-files.ts';

export interface TrainingFileInfo {
  file: string;
  records: number;
  bytes: number;
  sha256: string;
}

const FLUSH_BYTES = 256 * 1024;

export class JsonlFileWriter {
  private readonly tmp: string;
  private readonly ws: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private buf = '';
  records = 0;
  bytes = 0;

  private constructor(readonly path: string) {
    this.tmp = `${path}.tmp-${process.pid}`;
    this.ws = createWriteStream(this.tmp);
  }

  static async open(path: string): Promise<JsonlFileWriter> {
    await mkdir(dirname(path), { recursive: true });
    return new JsonlFileWriter(path);
  }

  async write(value: unknown): Promise<void> {
    this.buf += JSON.stringify(value) + '\n';
    this.records++;
    if (this.buf.length >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.buf) return;
    const b = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    this.hash.update(b);
    this.bytes += b.length;
    if (!this.ws.write(b)) await once(this.ws, 'drain');
  }

  /** Flushes, fsyncs and renames into place. */
  async close(): Promise<TrainingFileInfo> {
    await this.flush();
    this.ws.end();
    await once(this.ws, 'finish');
    const fh = await open(this.tmp, 'r+');
    await fh.sync();
    await fh.close();
    await rename(this.tmp, this.path);
    await fsyncDir(dirname(this.path));
    return { file: basename(this.path), records: this.records, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    this.ws.destroy();
    await rm(this.tmp, { force: true });
  }
}
