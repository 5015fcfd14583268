/**
 * Email addresses, as personal data: `[REDACTED:email]`. Addresses that name no one are kept:
 * documentation domains (example.com, .test, .invalid, .localhost), no-reply senders, and the
 * `git@host` of an SSH remote. A "domain" ending in a file extension (`icon@2x.png`) is no address.
 */
export const EMAIL_TRIGGER = /@/;
export const EMAIL_PATTERN = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

const DOC_DOMAIN = /(?:^|\.)(?:example\.(?:com|org|net)|[a-z0-9-]+\.(?:test|invalid|localhost|example|local))$/i;
const NO_ONE = /^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|git)$/i;
const FILE_EXT = /\.(?:png|jpe?g|gif|svg|webp|ico|js|mjs|cjs|ts|tsx|jsx|json|md|txt|css|html?|py|rs|go|rb|sh|ya?ml|toml|lock|log|zip|gz|tgz|tar|wasm|map|vue|svelte)$/i;

/** True when the matched address names a person or a mailbox worth hiding. */
export function isPersonalEmail(address: string): boolean {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return !DOC_DOMAIN.test(domain) && !NO_ONE.test(local) && !FILE_EXT.test(domain);
}
