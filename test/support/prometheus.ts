// A strict parser of the Prometheus text exposition format (0.0.4), for tests of /metrics: any line
// it does not understand is an error.
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  help?: string;
  type?: string;
  samples: PromSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(\\{(.*)\\})?\\s+(\\S+)(?:\\s+(-?\\d+))?$`);

function parseLabels(text: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(i));
    if (!m) throw new Error(`bad label set in: ${line}`);
    i += m[0].length;
    let v = '';
    for (;;) {
      if (i >= text.length) throw new Error(`unterminated label value in: ${line}`);
      const c = text[i++];
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i++];
        v += e === 'n' ? '\n' : e;
      } else v += c;
    }
    if (m[1] in out) throw new Error(`label ${m[1]} twice in: ${line}`);
    out[m[1]] = v;
    if (text[i] === ',') i++;
    else if (i < text.length) throw new Error(`bad label separator in: ${line}`);
  }
  return out;
}

function parseValue(v: string, line: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  if (v === 'NaN') return NaN;
  const n = Number(v);
  if (v === '' || Number.isNaN(n)) throw new Error(`bad value in: ${line}`);
  return n;
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (!m) continue; // a plain comment
      if (m[1] === 'HELP') family(m[2]).help = m[3];
      else {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3])) throw new Error(`bad type in: ${line}`);
        family(m[2]).type = m[3];
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const [, name, , labelText, value] = m;
    const base = [...families.keys()].find((f) => families.get(f)!.type === 'histogram' && new RegExp(`^${f}_(bucket|sum|count)$`).test(name)) ?? name;
    family(base).samples.push({ name, labels: labelText ? parseLabels(labelText, line) : {}, value: parseValue(value, line) });
  }
  for (const f of families.values()) if (!f.type) throw new Error(`metric ${f.name} has no TYPE line`);
  return families;
}

/** The value of the one sample of `family` (named `name`, default the family) with these labels. */
export function sampleValue(families: Map<string, PromFamily>, family: string, labels: Record<string, string> = {}, name = family): number | undefined {
  const f = families.get(family);
  const s = f?.samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v) && Object.keys(x.labels).length === Object.keys(labels).length);
  return s?.value;
}
