// Line-protocol files: the embedded default when no InfluxDB is configured. Each writer appends
// to its own `<out>/points/<writerId>-<seq>.lp`, fsyncs before write() resolves, and starts the
// next file past a size. Import one with `influx write --precision ms -f FILE` (InfluxDB 2.x CLI)
// or send them all later with replayLineProtocolFiles().
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { PointRecord, PointSink } from '../../model/point.ts';
import { LINE_PROTOCOL_PRECISION, toLineProtocolLines } from './encode.ts';

export interface LineProtocolFileSinkOptions {
  /** The output root; files go to `<outDir>/points/`. */
  outDir: string;
  /** Unique per writing process (one writer per file, so no locking). */
  writerId: string;
  /** Start a new file once the current one reaches this size; default 16 MiB. */
  maxFileBytes?: number;
  /** fsync after every write (default true); off only for throwaway output. */
  fsync?: boolean;
}

const FILE_RE = /^(.+)-(\d+)\.lp$/;

/** Makes a new file's directory entry durable too (a synced file nobody can find is lost). */
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export function pointsDir(outDir: string): string {
  return join(outDir, 'points');
}

export function lineProtocolFileName(writerId: string, seq: number): string {
  return `${writerId}-${String(seq).padStart(6, '0')}.lp`;
}

/** The header each file starts with: a comment, which line-protocol readers skip. */
export const FILE_HEADER = `# harvest points, line protocol, precision=${LINE_PROTOCOL_PRECISION} (influx write --precision ${LINE_PROTOCOL_PRECISION})\n`;

export class LineProtocolFileSink implements PointSink {
  readonly kind = 'line-protocol-files';
  readonly dir: string;
  private file: FileHandle | null = null;
  private size = 0;
  private seq: number;
  private chain: Promise<void> = Promise.resolve();
  private readonly maxFileBytes: number;
  private closed = false;
  /** Paths this sink has written, oldest first. */
  readonly files: string[] = [];

  private constructor(
    private readonly opts: LineProtocolFileSinkOptions,
    nextSeq: number,
  ) {
    this.dir = pointsDir(opts.outDir);
    this.seq = nextSeq;
    this.maxFileBytes = opts.maxFileBytes ?? 16 * 1024 * 1024;
  }

  static async open(opts: LineProtocolFileSinkOptions): Promise<LineProtocolFileSink> {
    if (!/^[A-Za-z0-9._-]+$/.test(opts.writerId)) {
      throw new Error(`writerId '${opts.writerId}' may only hold letters, digits, '.', '_' and '-'`);
    }
    const dir = pointsDir(opts.outDir);
    await mkdir(dir, { recursive: true });
    // A new file per process: an earlier one may end in a half-written line from a crash.
    let last = -1;
    for (const name of await readdir(dir)) {
      const m = FILE_RE.exec(name);
      if (m && m[1] === opts.writerId) last = Math.max(last, Number(m[2]));
    }
    return new LineProtocolFileSink(opts, last + 1);
  }

  write(points: PointRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('LineProtocolFileSink: write after close'));
    if (points.length === 0) return Promise.resolve();
    let text: string;
    try {
      text = toLineProtocolLines(points).join('\n') + '\n';
    } catch (err) {
      return Promise.reject(err);
    }
    // One append at a time, in call order.
    const run = this.chain.then(() => this.append(Buffer.from(text, 'utf8')));
    this.chain = run.catch(() => {});
    return run;
  }

  private async append(buf: Buffer): Promise<void> {
    if (this.file && this.size > 0 && this.size + buf.length > this.maxFileBytes) await this.rotate();
    if (!this.file) await this.openNext();
    const f = this.file!;
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await f.write(buf, off, buf.length - off);
      off += bytesWritten;
    }
    this.size += buf.length;
    if (this.opts.fsync !== false) await f.datasync();
  }

  private async openNext(): Promise<void> {
    const path = join(this.dir, lineProtocolFileName(this.opts.writerId, this.seq++));
    // 'wx': never append to someone else's file.
    this.file = await open(path, 'wx');
    this.files.push(path);
    const header = Buffer.from(FILE_HEADER, 'utf8');
    await this.file.write(header);
    this.size = header.length;
    if (this.opts.fsync !== false) await syncDir(this.dir);
  }

  private async rotate(): Promise<void> {
    const f = this.file;
    this.file = null;
    await f?.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.rotate();
  }
}
