/**
 * The user name in a home path: `/home/alice/...` -> `/home/[USER]/...`, likewise `/Users/alice`,
 * `C:\Users\alice` (and its JSON-escaped `C:\\Users\\alice`), and Claude Code's encoded project
 * folders (`-home-alice-project`, whose user part ends at the next `-`).
 */
export const HOME_MARKER = '[USER]';
export const HOME_TRIGGER = /\/home\/|\/Users\/|\\Users\\|-home-|-Users-/;

// The folder after the home root, unless it is a shared one, a placeholder, an account no person
// owns (CI runners, cloud images, containers), or already the marker.
const NOT_PEOPLE = [
  'Shared', 'Public', 'Default', 'All Users', 'linuxbrew', 'USER', 'USERNAME', 'user', 'username', 'you', 'yourname', 'me', 'name',
  'runner', 'ubuntu', 'debian', 'ec2-user', 'admin', 'node', 'vscode', 'codespace', 'gitpod', 'vagrant', 'jenkins', 'docker', 'app',
];
const notAUser = (end: string): string => String.raw`(?!(?:${NOT_PEOPLE.join('|')}|\.+)${end})(?!\[USER\])`;
const ROOT = String.raw`(?<![\w.-])/home/|(?<![\w.-])/Users/|\b[A-Za-z]:(?:\\\\|\\)Users(?:\\\\|\\)`;

export const HOME_PATH_PATTERN = new RegExp(String.raw`(?:${ROOT})${notAUser(String.raw`(?![\w.-])`)}(?<secret>[A-Za-z0-9._][^/\\\s"'\x60<>:;,|*?]{0,63})`, 'g');
export const ENCODED_HOME_PATTERN = new RegExp(String.raw`(?:(?<=/projects/)|(?<![^\s"'/]))-(?:home|Users)-${notAUser('-')}(?<secret>[A-Za-z0-9._]{1,64})(?=-)`, 'g');
