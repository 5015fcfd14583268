// The actions recorded for each PR, in Redis, so an observation can say how many repair requests
// came before it (`conflict_attempts`, `review_fix_attempts`) without reading the event shards.
// One sorted set per PR: score = action time (ms), member = `<event id>|<action>` (a retried
// event adds the same member again, which changes nothing).
import type { Redis } from 'ioredis';
import { CONFLICT_FIX_ACTION, REVIEW_FIX_ACTION } from '../model/event.ts';

/** Kept this long after the PR's last recorded action. */
const TTL_SECONDS = 180 * 24 * 3600;

/** GitHub names are case-insensitive: an action recorded for `Acme/Widgets` counts for `acme/widgets`. */
export function prActionsKey(prefix: string, repo: string, pr: number | string): string {
  return `${prefix}:pr-actions:${repo.toLowerCase()}#${pr}`;
}

export interface PrActionEntry {
  id: string;
  action: string;
  atMs: number;
}

export async function recordPrAction(redis: Redis, prefix: string, repo: string, pr: number, entry: PrActionEntry): Promise<void> {
  const key = prActionsKey(prefix, repo, pr);
  await redis.multi().zadd(key, entry.atMs, `${entry.id}|${entry.action}`).expire(key, TTL_SECONDS).exec();
}

/** Many actions, one pipelined round trip. */
export async function recordPrActions(redis: Redis, prefix: string, actions: readonly { repo: string; pr: number; entry: PrActionEntry }[]): Promise<void> {
  if (actions.length === 0) return;
  const pipe = redis.pipeline();
  for (const { repo, pr, entry } of actions) {
    const key = prActionsKey(prefix, repo, pr);
    pipe.zadd(key, entry.atMs, `${entry.id}|${entry.action}`).expire(key, TTL_SECONDS);
  }
  for (const [err] of (await pipe.exec()) ?? []) if (err) throw err;
}

/** The actions recorded for the PR strictly before `atMs`, oldest first. */
export async function actionsBefore(redis: Redis, prefix: string, repo: string, pr: number, atMs: number): Promise<PrActionEntry[]> {
  const raw = await redis.zrangebyscore(prActionsKey(prefix, repo, pr), '-inf', `(${atMs}`, 'WITHSCORES');
  const out: PrActionEntry[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const sep = raw[i].indexOf('|');
    out.push({ id: raw[i].slice(0, sep), action: raw[i].slice(sep + 1), atMs: Number(raw[i + 1]) });
  }
  return out;
}

/** How many conflict-fix and review-fix requests were recorded for the PR before `atMs`. */
export async function attemptsBefore(
  redis: Redis, prefix: string, repo: string, pr: number, atMs: number,
): Promise<{ conflict: number; reviewFix: number }> {
  let conflict = 0;
  let reviewFix = 0;
  for (const a of await actionsBefore(redis, prefix, repo, pr, atMs)) {
    if (a.action === CONFLICT_FIX_ACTION) conflict++;
    else if (a.action === REVIEW_FIX_ACTION) reviewFix++;
  }
  return { conflict, reviewFix };
}
