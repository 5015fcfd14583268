// OpenCode's older JSON storage (before its SQLite store): one file per record,
//   <data>/storage/session/<projectID>/<sessionID>.json   the session's info
//   <data>/storage/message/<sessionID>/<messageID>.json   each message's info
//   <data>/storage/part/<messageID>/<partID>.json         each part
// A session is read from its info file: its messages, then each message's parts, in id order
// (OpenCode's ids sort by time). Files are small; one is read at a time.
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isObj, type Obj } from '../json-values.ts';
import type { OpenCodeMessage } from './messages.ts';
import { withSideFile } from '../checked-file.ts';

/** `<data>/storage` for a session info file under `storage/session/<project>/`, else undefined. */
export function storageRootOf(sessionFile: string): string | undefined {
  const projectDir = dirname(sessionFile);
  const sessionDir = dirname(projectDir);
  if (basename(sessionDir) !== 'session') return undefined;
  return dirname(sessionDir);
}

async function listJson(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

async function readObj(path: string, bad: { bad: number }, roots?: readonly string[]): Promise<Obj | undefined> {
  try {
    // A message or part file outside the roots (a link out of the storage folder) is not read.
    const text = await withSideFile(path, roots, (readFrom) => readFile(readFrom, 'utf8'));
    const v = (text === null ? undefined : JSON.parse(text)) as unknown;
    if (isObj(v)) return v;
  } catch {
    // counted below
  }
  bad.bad++;
  return undefined;
}

export async function readStorageInfo(readFrom: string, bad: { bad: number }): Promise<Obj | undefined> {
  return readObj(readFrom, bad);
}

/** The messages of one session with their parts, in order. */
export async function* storageMessages(storage: string, sessionId: string, bad: { bad: number }, roots?: readonly string[]): AsyncGenerator<OpenCodeMessage> {
  const msgDir = join(storage, 'message', sessionId);
  const infos: Obj[] = [];
  for (const name of await listJson(msgDir)) {
    const info = await readObj(join(msgDir, name), bad, roots);
    if (info) infos.push({ ...info, id: typeof info.id === 'string' ? info.id : name.replace(/\.json$/, '') });
  }
  infos.sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
  for (const info of infos) {
    const partDir = join(storage, 'part', String(info.id));
    const parts: Obj[] = [];
    for (const name of await listJson(partDir)) {
      const p = await readObj(join(partDir, name), bad, roots);
      if (p) parts.push(p);
    }
    yield { info, parts };
  }
}
