import { createHash } from 'node:crypto';
import type { Split } from '../model/sample.ts';

export const DEFAULT_VAL_PERCENT = 5;

/**
 * Train or val, decided by a hash of `groupId` alone: the same id always lands in the same split.
 * Pass the root session id so a session and its subagents never straddle the two.
 */
export function splitFor(groupId: string, valPercent = DEFAULT_VAL_PERCENT): Split {
  if (!(valPercent >= 0 && valPercent <= 100)) throw new RangeError(`valPercent must be within 0..100, got ${valPercent}`);
  const bucket = createHash('sha256').update(groupId).digest().readUInt32BE(0) % 10000;
  return bucket < valPercent * 100 ? 'val' : 'train';
}
