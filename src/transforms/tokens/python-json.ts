// JSON as Python's json.dumps writes it by default (", " and ": " separators, non-ASCII kept),
// which is what a chat template's `tojson` filter renders: tool specs and object arguments are
// counted in the form the trainer's template will actually produce.
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'NaN';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}: ${pythonJson(v)}`);
    return `{${parts.join(', ')}}`;
  }
  return JSON.stringify(String(value));
}
