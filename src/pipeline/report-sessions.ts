// Per-session tallies for the report's drill-down: every session's samples summed as the dataset
// streams by; the largest few (by characters) come out with their chunks.
import type { SessionDrill } from '../sinks/report/report-data.ts';

interface Tally extends Omit<SessionDrill, 'roles' | 'score_mean'> {
  roles: Set<string>;
  scoreSum: number;
}

export class SessionTally {
  private readonly sessions = new Map<string, Tally>();

  add(s: { session_id: string; source: string; role: string; record_id: string; order: number; part: string; score: number; chars: number; turns: number; started_at: string | null }): void {
    let t = this.sessions.get(s.session_id);
    if (!t) {
      t = { session_id: s.session_id, source: s.source, roles: new Set(), samples: 0, chars: 0, turns: 0, scoreSum: 0, started_at: s.started_at, chunks: [] };
      this.sessions.set(s.session_id, t);
    }
    t.roles.add(s.role);
    t.samples++;
    t.chars += s.chars;
    t.turns += s.turns;
    t.scoreSum += s.score;
    if (s.started_at && (!t.started_at || s.started_at < t.started_at)) t.started_at = s.started_at;
    t.chunks.push({ record_id: s.record_id, order: s.order, part: s.part, score: s.score, chars: s.chars, turns: s.turns });
  }

  get count(): number {
    return this.sessions.size;
  }

  largest(n: number): SessionDrill[] {
    return [...this.sessions.values()]
      .sort((a, b) => b.chars - a.chars || a.session_id.localeCompare(b.session_id))
      .slice(0, n)
      .map(({ roles, scoreSum, chunks, ...t }) => ({
        ...t,
        roles: [...roles].sort(),
        score_mean: Math.round((scoreSum / Math.max(1, t.samples)) * 1000) / 1000,
        chunks: chunks.sort((a, b) => a.order - b.order),
      }));
  }
}
