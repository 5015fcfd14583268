// A run's progress as a person sees it. On a terminal: one bar per phase (discovered, enqueued,
// processed, samples), redrawn in place, with every log line printed above the bars (the logger's
// output is routed through the bars while they are drawn). Off a terminal: a plain progress line
// every few seconds. With --quiet: nothing.
import cliProgress from 'cli-progress';
import { routeLogLines, type Logger } from '../log.ts';

export interface ProgressState {
  discovered: number;
  /** False once discovery and enqueueing are done (the totals are then final). */
  enqueuing: boolean;
  enqueued: number;
  unchanged: number;
  processed: number;
  failed: number;
  samples: number;
  warnings: number;
}

export interface RunProgress {
  update(s: ProgressState): void;
  /** Draws the final state and gives the terminal back. */
  stop(): void;
}

export type ProgressMode = 'bars' | 'lines' | 'none';

export function progressMode(o: { tty: boolean; quiet: boolean; json: boolean }): ProgressMode {
  if (o.quiet) return 'none';
  return o.tty && !o.json ? 'bars' : 'lines';
}

const BAR_WIDTH = 28;
const LABEL = 11;

function bar(value: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.round((value / total) * BAR_WIDTH)) : 0;
  return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
}

function duration(s: number): string {
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.max(0, Math.round(s))}s`;
}

/**
 * Seconds left, from the rate since the first file was done; null (shown as "--") until there is a
 * rate to go by or while the total still grows.
 */
export class Eta {
  private firstAt: number | null = null;
  private firstValue = 0;

  estimate(value: number, total: number, final: boolean, now = Date.now()): number | null {
    if (value > 0 && this.firstAt === null) {
      this.firstAt = now;
      this.firstValue = value;
    }
    if (!final || this.firstAt === null) return null;
    const done = value - this.firstValue;
    const secs = (now - this.firstAt) / 1000;
    if (done <= 0 || secs < 1) return null;
    return (total - value) / (done / secs);
  }
}

/** The four lines of the bars, as drawn. */
export function barLines(s: ProgressState, eta: number | null, elapsedS: number): string[] {
  const label = (l: string) => l.padEnd(LABEL);
  const total = s.enqueued;
  return [
    `${label('discovered')}${String(s.discovered).padStart(7)} session files${s.enqueuing ? ' …' : ''}`,
    `${label('enqueued')}${bar(s.enqueued + s.unchanged, s.discovered)} ${s.enqueued} new${s.enqueuing ? '' : `, ${s.unchanged} unchanged`}`,
    `${label('processed')}${bar(s.processed + s.failed, total)} ${s.processed + s.failed}/${total}${s.failed ? ` (${s.failed} failed)` : ''} · ${duration(elapsedS)} · eta ${eta === null ? '--' : duration(eta)}`,
    `${label('samples')}${String(s.samples).padStart(7)} written${s.warnings ? ` · ${s.warnings} warnings` : ''}`,
  ];
}

/**
 * Log text is written where the bars were, then the bars below it: clearing the screen from there
 * down first means a log line (or its wrapped rest) never shows the tail of a bar it covered.
 */
const aboveBars = (text: string): string => `\x1b[J${text.endsWith('\n') ? text : `${text}\n`}`;

function terminalBars(stream: NodeJS.WriteStream): RunProgress {
  const started = Date.now();
  const eta = new Eta();
  let state: ProgressState = { discovered: 0, enqueuing: true, enqueued: 0, unchanged: 0, processed: 0, failed: 0, samples: 0, warnings: 0 };
  let lines = barLines(state, null, 0);
  const multi = new cliProgress.MultiBar({
    stream,
    hideCursor: true,
    clearOnComplete: false,
    // Redraw every tick: lines written above the bars move them down, so unchanged bars are drawn again.
    forceRedraw: true,
    // Bars are cut to the width; log lines above them wrap (with wrapping off they would be cut).
    linewrap: true,
    gracefulExit: true,
    format: (_o, _p, payload: { row: number }) => lines[payload.row],
  });
  const rows = lines.map((_, row) => multi.create(1, 0, { row }));
  routeLogLines((text) => multi.log(aboveBars(text)));
  let stopped = false;
  return {
    update(s) {
      state = s;
      lines = barLines(s, eta.estimate(s.processed + s.failed, s.enqueued, !s.enqueuing), (Date.now() - started) / 1000);
      for (const r of rows) r.update(0);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      lines = barLines({ ...state, enqueuing: false }, 0, (Date.now() - started) / 1000);
      // update() writes the log lines still buffered, then the bars; stop() draws them once more.
      multi.update();
      multi.stop();
      routeLogLines(null);
    },
  };
}

function plainLines(log: Logger, everyMs: number): RunProgress {
  let last = 0;
  let state: ProgressState | null = null;
  const say = (s: ProgressState) =>
    log.info({ discovered: s.discovered, enqueued: s.enqueued, processed: s.processed, failed: s.failed, samples: s.samples, warnings: s.warnings },
      `progress: ${s.processed + s.failed} of ${s.enqueued}${s.enqueuing ? '+' : ''} files processed, ${s.samples} samples`);
  return {
    update(s) {
      state = s;
      if (Date.now() - last < everyMs) return;
      last = Date.now();
      say(s);
    },
    stop() {
      if (state && last > 0) say(state);
    },
  };
}

export function createProgress(mode: ProgressMode, log: Logger, stream: NodeJS.WriteStream = process.stderr, everyMs = 5000): RunProgress {
  if (mode === 'bars') return terminalBars(stream);
  if (mode === 'lines') return plainLines(log, everyMs);
  return { update() {}, stop() {} };
}
