// Durations on the command line: `500ms`, `120s`, `15m`, `1h`, `7d`, or plain milliseconds.
import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`not a duration: ${v} (try 500ms, 120s, 15m, 1h, 7d)`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 'ms'];
  if (!Number.isFinite(ms) || ms <= 0) throw new InvalidArgumentError(`not a positive duration: ${v}`);
  return Math.round(ms);
}
