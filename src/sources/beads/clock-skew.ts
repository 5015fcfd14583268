// Some bead exports stamp events on another clock than their issue fields: found here, where the
// export is read, so everything downstream sees one clock.
import type { BeadEvent, BeadIssue } from '../../model/bead.ts';

export interface ClockSkew {
  /** Event clock minus issue clock, in ms (0 when none was detected). */
  skewMs: number;
  /** Creations compared. */
  samples: number;
  /** Creations within an hour of the detected skew. */
  agreeing: number;
}

const QUARTER_HOUR = 15 * 60_000;

/**
 * Some exports stamp events in local time marked as UTC while the issue fields are UTC (the
 * lora-forge backup runs 11 h ahead). Compares each `created` event with its issue's created_at:
 * when most agree on an offset of at least half an hour, that offset (to the quarter hour) is the skew.
 */
export function estimateEventClockSkew(issues: Map<string, BeadIssue>, events: Map<string, BeadEvent[]>): ClockSkew {
  const diffs: number[] = [];
  for (const [id, list] of events) {
    const created = issues.get(id)?.createdAt;
    const t = created ? Date.parse(created) : NaN;
    if (!Number.isFinite(t)) continue;
    const ev = list.find((e) => e.type === 'created' && e.at !== null);
    if (ev) diffs.push((ev.at as number) - t);
  }
  if (diffs.length < 3) return { skewMs: 0, samples: diffs.length, agreeing: 0 };
  diffs.sort((a, b) => a - b);
  const median = diffs[Math.floor(diffs.length / 2)];
  const skew = Math.round(median / QUARTER_HOUR) * QUARTER_HOUR;
  const agreeing = diffs.filter((d) => Math.abs(d - skew) <= 3_600_000).length;
  if (Math.abs(skew) < 2 * QUARTER_HOUR || agreeing < diffs.length * 0.6) return { skewMs: 0, samples: diffs.length, agreeing };
  return { skewMs: skew, samples: diffs.length, agreeing };
}
