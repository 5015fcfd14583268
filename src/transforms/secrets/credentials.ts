/**
 * Credentials in URLs and commands: the password of `scheme://user:pass@host` (connection strings
 * of postgres, mongodb+srv, redis `://:pass@`, amqp, ...), `user:pass@host.tld` without a scheme,
 * `curl -u user:pass`, and secrets passed as command-line flags (`--password X`, `sshpass -p X`,
 * `mysql -pX`). The user name and the host are kept; only the secret becomes the marker.
 */
import { looksLikeSecretValue, type SecretRule } from './rule.ts';

const secretPart = (secret: string): boolean => looksLikeSecretValue(secret, true, 3);

// Schemes whose `name:value@host` is an address, not credentials.
const ADDRESS_SCHEMES = /^(?:mailto|sip|sips|xmpp|tel|im|pres|urn|git|ssh|news)$/i;

const FLAG_WORDS = String.raw`password|passwd|passphrase|token|secret|api-?key|access-key|private-key|client-secret|auth-token`;

export const CREDENTIAL_RULES: readonly SecretRule[] = [
  {
    kind: 'url_credentials',
    words: ['://'],
    confirm: /:\/\/[^\s/]*@/,
    // Greedy up to the last `@` before the host: an unencoded `@` in a password stays inside.
    pattern: /\b[A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/(?<user>[^\s:@/?#[\]'"\\]*):(?<secret>[^\s/?#'"\\]+)(?=@[A-Za-z0-9[])/g,
    accept: secretPart,
  },
  {
    kind: 'url_credentials',
    words: ['@'],
    confirm: /(?<=:[A-Za-z0-9_!*%+-]{3,64})@[A-Za-z0-9-]+\./,
    pattern: /(?<![\w/:.@%+-])(?<user>[A-Za-z0-9_.-]{1,64}):(?<secret>[A-Za-z0-9_!*%+-]{3,64})(?=@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b)/g,
    accept: (secret, _m, g) => !ADDRESS_SCHEMES.test(g.user ?? '') && !/^\d+$/.test(g.user ?? '') && secretPart(secret),
  },
  {
    kind: 'basic_auth',
    words: ['curl'],
    pattern: /\bcurl\b[^\n;|&]{0,400}?[ \t](?:-u|--user|--proxy-user)(?:[ \t]+|=)?(?<q>["']?)(?<user>[^\s:"']*):(?<secret>[^\s"']+)/g,
    accept: secretPart,
  },
  {
    kind: 'secret_flag',
    words: ['--'],
    confirm: new RegExp(String.raw`--(?:[\w-]*-)?(?:${FLAG_WORDS})[ \t]`, 'i'),
    pattern: new RegExp(String.raw`--(?:[A-Za-z0-9-]*-)?(?:${FLAG_WORDS})[ \t]+(?<q>["']?)(?<secret>[^\s"'\\]+)`, 'gi'),
    accept: (secret, _m, g) => !secret.startsWith('-') && looksLikeSecretValue(secret, g.q !== ''),
  },
  {
    kind: 'secret_flag',
    words: ['sshpass', 'login', 'mysql'],
    pattern: /\b(?:(?:sshpass|login)\b[^\n;|&]{0,200}?[ \t]-p[ \t]+(?<q>["']?)|mysql\w*\b[^\n;|&]{0,200}?[ \t]-p(?=[^\s-]))(?<secret>[^\s"'\\]+)/g,
    accept: (secret) => looksLikeSecretValue(secret, true, 3),
  },
];
