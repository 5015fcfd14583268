// Where a dataset folder keeps its samples: `<dir>/samples`, or `<dir>` itself when it is that
// folder. Anything else has no samples: an arbitrary folder is never read as shards (an export's
// own manifest there would look like one).
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

export function samplesRootOf(dir: string): string | null {
  if (existsSync(join(dir, 'samples'))) return join(dir, 'samples');
  if (basename(dir) === 'samples' && existsSync(dir)) return dir;
  return null;
}
