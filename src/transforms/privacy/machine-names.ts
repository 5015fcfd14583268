/**
 * This machine's user and host names wherever they appear (`[USER]`, `[HOST]`), resolved at the
 * edge from the operating system. A name that is also an ordinary word or a shared account name
 * (`root`, `node`, `ubuntu`, ...) or shorter than 3 characters would redact prose: such names are
 * only redacted in home paths, by the home-path layer.
 */
const GENERIC = new Set([
  'root', 'user', 'users', 'admin', 'administrator', 'guest', 'node', 'ubuntu', 'debian', 'runner', 'agent',
  'app', 'dev', 'developer', 'build', 'ci', 'docker', 'vagrant', 'ec2-user', 'default', 'test', 'localhost', 'host',
  'server', 'home', 'work', 'main', 'master', 'codespace', 'vscode', 'jenkins', 'gitlab-runner', 'www-data', 'nobody',
]);

export interface MachineNames {
  users: string[];
  hosts: string[];
}

/** The names worth redacting as words: distinctive enough that a match is this machine. */
export function distinctiveNames(names: string[]): string[] {
  return [...new Set(names.map((n) => n.trim()).filter((n) => n.length >= 3 && !GENERIC.has(n.toLowerCase())))];
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One pattern for all names, longest first, as whole words; null when there is none. */
export function namesPattern(names: string[]): RegExp | null {
  if (names.length === 0) return null;
  const alts = [...names].sort((a, b) => b.length - a.length).map(escape).join('|');
  return new RegExp(String.raw`(?<![A-Za-z0-9])(?:${alts})(?![A-Za-z0-9])`, 'gi');
}
