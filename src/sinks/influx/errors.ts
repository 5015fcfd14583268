// Why a write to InfluxDB failed, sorted by what the caller should do about it.

/** The server refused the batch and will refuse it again: bad line protocol, bad credentials,
 *  unknown database or bucket. Retrying cannot help; fix the data or the configuration. */
export class PermanentWriteError extends Error {
  constructor(
    readonly status: number,
    /** The server's own explanation, as it sent it. */
    readonly serverMessage: string,
    readonly target: string,
  ) {
    super(`InfluxDB at ${target} refused the write (HTTP ${status}): ${serverMessage}`);
    this.name = 'PermanentWriteError';
  }
}

/** The write may succeed later: server error, overload (429), timeout, connection refused. */
export class TransientWriteError extends Error {
  constructor(
    readonly target: string,
    readonly reason: string,
    readonly status?: number,
    /** Set when the server said how long to back off (Retry-After, in ms). */
    readonly retryAfterMs?: number,
  ) {
    super(`write to InfluxDB at ${target} failed for now${status ? ` (HTTP ${status})` : ''}: ${reason}`);
    this.name = 'TransientWriteError';
  }
}

export type WriteError = PermanentWriteError | TransientWriteError;

/** 4xx other than 408 and 429 will fail the same way again. */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classifyStatus(
  target: string,
  status: number,
  serverMessage: string,
  retryAfter?: string | null,
): WriteError {
  if (isPermanentStatus(status)) return new PermanentWriteError(status, serverMessage, target);
  return new TransientWriteError(target, serverMessage, status, parseRetryAfter(retryAfter));
}

/** A fetch/transport failure (no HTTP answer): refused, reset, timed out, DNS. */
export function networkError(target: string, err: unknown): TransientWriteError {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? e?.code;
  const reason =
    e?.name === 'TimeoutError' || e?.name === 'AbortError'
      ? 'request timed out'
      : code
        ? `${code}${e?.cause?.message ? ` (${e.cause.message})` : ''}`
        : (e?.message ?? String(err));
  return new TransientWriteError(target, reason);
}

/** The part of an Influx error body a person can act on ({"error": ...} in 1.x, {"message": ...} in 2.x). */
export function serverMessageOf(body: string): string {
  const text = body.trim();
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 2000) || '(empty response body)';
}

/** Drops credentials from a URL before it goes into an error message. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid url)';
  }
}
