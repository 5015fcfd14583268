// One finding of `harvest doctor`: what was checked, how it stands, and what fixes it.

/** ok: fine; warn: works, but worth fixing; fail: will not work as set; info: not used here. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface CheckResult {
  /** What was checked: `redis`, `redis policy`, `influxdb`, `github`, `sessions claude`, ... */
  name: string;
  status: CheckStatus;
  /** What was found, in one line. */
  summary: string;
  /** The command or setting that fixes it (warn and fail). */
  fix?: string;
  /** Numbers behind the finding, for --json. */
  data?: Record<string, unknown>;
}

export const check = (name: string, status: CheckStatus, summary: string, fix?: string, data?: Record<string, unknown>): CheckResult =>
  ({ name, status, summary, ...(fix ? { fix } : {}), ...(data ? { data } : {}) });

/** Why a request failed, in a word or two: fetch hides the socket's error in `cause`. */
export function failureReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
