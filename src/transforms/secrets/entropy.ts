/**
 * High-entropy values: secrets without a known prefix, found by how random they look where a
 * secret stands: an assigned value (`.env`, YAML, JSON, a header, a URL query parameter), a quoted
 * string, or a whole string that is one token. Thresholds follow detect-secrets (4.5 bits per
 * character for base64, 3.0 for hex); values under a key that names a credential only need 3.5
 * (as gitleaks' generic rule). Hashes, ids and encoded images are let through: git SHAs, UUIDs,
 * lockfile integrity hashes, message and tool ids, base64 images.
 */

/** Shannon entropy of `s` in bits per character. */
const freq = new Uint16Array(65536);

export function shannonEntropy(s: string): number {
  for (let i = 0; i < s.length; i++) freq[s.charCodeAt(i)]++;
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const n = freq[c];
    if (n === 0) continue;
    const p = n / s.length;
    h -= p * Math.log2(p);
    freq[c] = 0;
  }
  return h;
}

export const BASE64_BITS = 4.5;
export const HEX_BITS = 3.0;
export const KEYED_BITS = 3.5;
const MIN_KEYLESS = 20;
const MIN_KEYED = 16;
// Longer runs are data (images, encrypted blobs, signatures), not credentials someone types.
const MAX_LEN = 512;

/** A run of characters a token can hold. */
export const TOKEN_CHARS = 'A-Za-z0-9+/_=-';
const TOKEN = new RegExp(`^[${TOKEN_CHARS}]+$`);
const HEX = /^[0-9a-fA-F]+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UUID_INSIDE = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
// Integrity hashes (`sha512-...`, Go's `h1:`), and ids that APIs mint: messages, tool calls, requests.
// `REDACTED...`: a value someone already redacted (in part).
const NOT_SECRET_PREFIX =
  /^(?:REDACTED|sha(?:1|224|256|384|512)[-:_]|md5[-:_]|h1:|(?:msg|toolu|srvtoolu|req|call|fc|rs|resp|run|thread|asst|file|batch|evt|cus|sub|in|pi|ch|prod|price|txn|ws|org|proj|user|sess|conv|ctx|item|step|span|trace|job|task|ev|rec|chatcmpl|cmpl|ft|ftjob|vs|modr)[-_](?:[A-Za-z0-9]{1,4}[-_])?(?=[A-Za-z0-9]{10,}))/;
// Encoded images and documents: PNG, JPEG, GIF, WebP, SVG, PDF, ISO-BMFF.
const MEDIA_PREFIX = /^(?:iVBORw0KGgo|\/9j\/|R0lGOD|UklGR|PHN2Zy|PD94bWwg|JVBERi|AAAA[A-Za-z0-9+/]{2}ZnR5c)/;
// A path with a few letters between slashes: `src/transforms/secrets/Entropy2Test`.
const PATHLIKE = /^(?:[./]*[A-Za-z0-9_-]+\/){2,}/;

/** Keys whose value names a credential loosely: needs some randomness before it is redacted. */
const WEAK_KEY = /(?:^|[_.-]|[a-z](?=[A-Z]))(?:key|keys|auth|access|client|credentials?|creds?|sig|session|cookie|private|passcode|pin|salt|seed|signing|bearer|conn(?:ection)?(?:[_-]?str(?:ing)?)?|dsn)$/i;
/**
 * Keys whose value is an id, a hash, a name or a place: never a credential. A `signature` is a
 * model's signature over its thinking, or an HMAC of one request: not a key that opens anything.
 */
const NOT_SECRET_KEY =
  /(?:^|[_.-])(?:id|ids|uuid|uuids|guid|hash|hashes|sha\d*|digest|checksum|integrity|etag|commit|oid|rev|revision|nonce|version|path|paths|file|files|dir|name|names|url|uri|href|src|ref|refs|tag|branch|model|type|format|mode|kind|hex|tree|parent|blob|head|base|slug|title|lang|locale|color|colour|signature|h1|md5)$|[a-z0-9](?:Id|Ids|ID|Uuid|UUID|Hash|Sha|Digest|Path|Url|URL|Uri|Name|Ref|Type|Signature)$/i;

const hasDigit = (s: string): boolean => /\d/.test(s);
const mixedCase = (s: string): boolean => /[a-z]/.test(s) && /[A-Z]/.test(s);

/**
 * The kind a value in this context is redacted as, or null: `generic_secret` under a key that names
 * a credential loosely, `high_entropy` for a random-looking value anywhere a secret can stand.
 */
export function entropyKind(value: string, key: string | undefined): 'generic_secret' | 'high_entropy' | null {
  const n = value.length;
  if (n < MIN_KEYED || n > MAX_LEN || !TOKEN.test(value)) return null;
  if (key !== undefined && NOT_SECRET_KEY.test(key)) return null;
  if (UUID.test(value) || NOT_SECRET_PREFIX.test(value) || MEDIA_PREFIX.test(value) || PATHLIKE.test(value)) return null;
  if (!hasDigit(value) || !/[A-Za-z]/.test(value)) return null;
  const hex = HEX.test(value);
  const bits = shannonEntropy(value);
  if (key !== undefined && WEAK_KEY.test(key)) {
    if (UUID_INSIDE.test(value)) return null;
    return bits >= (hex ? HEX_BITS : KEYED_BITS) ? 'generic_secret' : null;
  }
  // Hex without a key that names a credential is a hash (a commit, a digest): let it be.
  if (hex || n < MIN_KEYLESS || !mixedCase(value)) return null;
  return bits >= BASE64_BITS ? 'high_entropy' : null;
}
