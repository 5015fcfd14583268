// Narrowing of parsed JSON values, shared by every reader: what a field holds, or undefined.
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A non-empty string, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A finite number, else undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A safe counts-key suffix for a type named by the file (`skipped_type_<key>`). */
export function typeKey(t: unknown): string {
  const k = String(t).replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return k === '' ? 'unnamed' : k;
}

/** Milliseconds since the epoch (number or ISO string) as ISO-8601, else undefined. */
export function isoTime(v: unknown): string | undefined {
  if (typeof v === 'string') return Number.isFinite(Date.parse(v)) ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) {
    // Seconds (Codex `started_at`) or milliseconds (OpenCode, pi).
    const ms = v < 1e11 ? v * 1000 : v;
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}
