// Where the session pipeline's time goes, stage by stage, without a profiler: the same work the
// worker does for each file, run in this process one stage at a time and timed.
//   read       the file's bytes
//   parse      the reader: JSON lines into the session model (less the read)
//   scrub      secrets and privacy layers over the session
//   segment    tool-result normalising and episodes
//   tokenize   every token count the tiler asks for
//   tile+score what else building samples costs (tiling, messages, notes, scores, metadata)
//   hash       each sample's line encoded and hashed
//   ledger     the record ledger's claim and keep calls on the shared Redis
//   write      shard appends (fsync) into a scratch folder
// The pipeline's CPU beyond their sum is the queue and the frame around them (BullMQ, job
// bookkeeping, links, GC of the worker's own heap).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Session } from '../src/model/session.ts';
import { sessionToSamples } from '../src/pipeline/session-samples.ts';
import { encodeSample } from '../src/sinks/shards/sample-line.ts';
import { ShardWriter } from '../src/sinks/shards/shard-writer.ts';
import { readSessionFile } from '../src/sources/readers.ts';
import { RecordLedger } from '../src/state/record-ledger.ts';
import { segmentEpisodes } from '../src/transforms/episodes.ts';
import { normalizeToolResults } from '../src/transforms/normalize.ts';
import { scrubSession } from '../src/transforms/scrub.ts';
import { getTokenizer } from '../src/transforms/tokens/tokenizer.ts';
import { dropPrefix } from '../test/support/redis.ts';
import { REDIS_URL } from './support.ts';

export type Stage = 'read' | 'parse' | 'scrub' | 'segment' | 'tokenize' | 'tile+score' | 'hash' | 'ledger' | 'write';
export const STAGES: Stage[] = ['read', 'parse', 'scrub', 'segment', 'tokenize', 'tile+score', 'hash', 'ledger', 'write'];

export async function stageTimes(files: { path: string }[], runtime: 'pir' | 'claude-code' = 'pir'): Promise<Record<Stage, number>> {
  const ms = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  const tokenizer = getTokenizer('qwen3') as { count(text: string): number };
  const count = tokenizer.count.bind(tokenizer);
  let tokenMs = 0;
  tokenizer.count = (text: string) => {
    const t = performance.now();
    const n = count(text);
    tokenMs += performance.now() - t;
    return n;
  };
  const redis = new Redis(REDIS_URL);
  const prefix = `hbench-stages-${Date.now().toString(36)}`;
  const ledger = new RecordLedger(redis, `${prefix}:ds:bench`);
  const dir = mkdtempSync(join(tmpdir(), 'hbench-stages-'));
  const writer = new ShardWriter({ root: dir, workerId: 'stages', maxBytes: 64 << 20, ledger, dataset: 'bench' });
  const time = async <T>(stage: Stage, fn: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const v = await fn();
    ms[stage] += performance.now() - t;
    return v;
  };
  try {
    for (const f of files) {
      await time('read', () => readFileSync(f.path));
      const t0 = performance.now();
      const read = await readSessionFile(f.path, { runtime });
      ms.parse += Math.max(0, performance.now() - t0);
      const sessions = read.results.flatMap((r) => (r.session ? [r.session] : [])) as Session[];
      for (const session of sessions) {
        const clean = await time('scrub', () => scrubSession(session, {}));
        await time('segment', () => segmentEpisodes(normalizeToolResults(clean.turns).turns));
        tokenMs = 0;
        const t1 = performance.now();
        const out = sessionToSamples(session, { version: 1 });
        const all = performance.now() - t1;
        ms.tokenize += tokenMs;
        // sessionToSamples scrubs and segments again: what was timed apart is not counted twice.
        ms['tile+score'] += Math.max(0, all - tokenMs);
        const lines = await time('hash', () => out.samples.map((s) => ({ s, e: encodeSample(s) })));
        const entries = lines.map(({ s, e }) => ({ recordId: s.metadata.record_id, version: 1, gptHash: s.metadata.gpt_hash, sampleHash: e.sampleHash }));
        const decisions = await time('ledger', () => ledger.claim(entries));
        const kept = lines.filter((_, i) => decisions[i] === 'write');
        await time('write', () => writer.append(`train/${out.role}`, kept.map(({ e }, i) => ({ json: e.bytes, entry: entries[lines.indexOf(kept[i])] }))));
      }
    }
    // The ledger's part of the appends (the writer keeps records through it) is in `write`.
    ms.parse = Math.max(0, ms.parse - ms.read);
    ms['tile+score'] = Math.max(0, ms['tile+score'] - ms.scrub - ms.segment);
  } finally {
    tokenizer.count = count;
    await writer.sealAll().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await dropPrefix(prefix);
    redis.disconnect();
  }
  return ms;
}
