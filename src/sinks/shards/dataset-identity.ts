// The output folder is the dataset: `<out>/dataset.json` names it (id, created, schema version),
// and every ledger key in Redis is namespaced by that id. A new folder, or one emptied (dataset.json
// gone with the rest), is a new dataset with empty ledgers: it gets everything written again.
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../model/sample.ts';
import { fsyncDir } from './shard-files.ts';

export const DATASET_FILE = 'dataset.json';

export interface DatasetIdentity {
  id: string;
  created: string;
  /** Schema version of the sample lines written into the folder. */
  schema_version: number;
}

export const datasetFile = (outDir: string): string => join(outDir, DATASET_FILE);

export async function readDatasetIdentity(outDir: string): Promise<DatasetIdentity | null> {
  let text: string;
  try {
    text = await readFile(datasetFile(outDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const v = JSON.parse(text) as DatasetIdentity;
  if (typeof v?.id !== 'string' || !/^[A-Za-z0-9-]+$/.test(v.id)) throw new Error(`${datasetFile(outDir)}: no valid dataset id in it`);
  return v;
}

/**
 * The folder's identity, written now if it has none. Creation is atomic (written aside, then
 * hard-linked into place, which fails if another process made one first): every process that
 * shares the folder agrees on one id.
 */
export async function ensureDatasetIdentity(outDir: string): Promise<DatasetIdentity> {
  const have = await readDatasetIdentity(outDir);
  if (have) return have;
  await mkdir(outDir, { recursive: true });
  const identity: DatasetIdentity = { id: randomUUID(), created: new Date().toISOString(), schema_version: SCHEMA_VERSION };
  const tmp = join(outDir, `.${DATASET_FILE}.${process.pid}.${identity.id.slice(0, 8)}`);
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(JSON.stringify(identity, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, datasetFile(outDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    await rm(tmp, { force: true });
  }
  await fsyncDir(outDir);
  return (await readDatasetIdentity(outDir))!;
}

/**
 * A folder's identity as it is now, cheap to ask before every job: a stat of dataset.json. When the
 * folder was emptied or replaced under a running process, `current()` says so (a new id).
 */
export class DatasetFolder {
  private known: { identity: DatasetIdentity; ino: number; dev: number } | null = null;
  constructor(readonly outDir: string) {}

  async current(): Promise<DatasetIdentity> {
    const st = await stat(datasetFile(this.outDir)).catch(() => null);
    if (this.known && st && st.ino === this.known.ino && st.dev === this.known.dev) return this.known.identity;
    const identity = await ensureDatasetIdentity(this.outDir);
    const now = await stat(datasetFile(this.outDir));
    this.known = { identity, ino: now.ino, dev: now.dev };
    return identity;
  }
}
