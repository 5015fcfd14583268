/**
 * secretlint's recommended preset (MIT), run in memory as a second, independent judge of text that
 * harvest has scrubbed: `harvest scan` asks it about every file. Too slow per string for the hot
 * path (about half a millisecond a call), fine per file. A finding over one of harvest's markers
 * (`postgres://u:[REDACTED:url_credentials]@h`) is the marker, not a secret, and is dropped.
 */
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';

export interface SecretlintFinding {
  /** secretlint's message id (`GITHUB_TOKEN`, `PostgreSQLConnection`, ...). */
  kind: string;
  /** 1-based line in the content. */
  line: number;
}

const CONFIG = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] };
const MARKER = /\[REDACTED:[a-z0-9_]+\]|\[USER\]/;

export async function secretlintFindings(content: string, filePath = 'content.txt'): Promise<SecretlintFinding[]> {
  const result = await lintSource({
    source: { filePath, content, ext: '.txt', contentType: 'text' },
    options: { config: CONFIG, maskSecrets: true, noPhysicFilePath: true },
  });
  return result.messages
    .filter((m) => !MARKER.test(content.slice(m.range[0], m.range[1])))
    .map((m) => ({ kind: m.messageId, line: m.loc.start.line }));
}
