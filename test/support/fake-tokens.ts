// Fake credentials of every kind the scrubber knows, built at run time from a seeded generator so
// the repository never holds a string a scanner would take for a live secret. Each has the shape
// its provider documents (prefix, alphabet, length); none was ever issued by anyone.

export interface Rng {
  next(): number;
}

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return {
    next() {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const HEXL = '0123456789abcdef';
export const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const B64URL = ALNUM + '-_';
export const B64 = ALNUM + '+/';
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';

/** `n` characters of `alphabet`, with at least one digit, one upper and one lower case letter where it has them. */
export function chars(r: Rng, n: number, alphabet = ALNUM): string {
  for (;;) {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(r.next() * alphabet.length)];
    const needs = [/[0-9]/, /[A-Z]/, /[a-z]/].filter((re) => re.test(alphabet));
    if (n < 8 || needs.every((re) => re.test(s))) return s;
  }
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url');

export interface FakeToken {
  /** The `[REDACTED:<kind>]` it must become. */
  kind: string;
  /** Which form of the kind (GitLab has a dozen). */
  form: string;
  make: (r: Rng) => string;
  /** Named in issue 13 as missed before (the held-out figure counts these). */
  issue?: boolean;
}

export const FAKE_TOKENS: readonly FakeToken[] = [
  { kind: 'github_token', form: 'classic', make: (r) => `ghp_${chars(r, 36)}` },
  { kind: 'github_token', form: 'oauth', make: (r) => `gho_${chars(r, 36)}` },
  { kind: 'github_token', form: 'fine-grained', make: (r) => `github_pat_11${chars(r, 20, UPPER_NUM)}_${chars(r, 59)}` },
  { kind: 'gitlab_token', form: 'personal', make: (r) => `glpat-${chars(r, 20, B64URL)}` },
  { kind: 'gitlab_token', form: 'deploy', make: (r) => `gldt-${chars(r, 20, B64URL)}`, issue: true },
  { kind: 'gitlab_token', form: 'runner', make: (r) => `glrt-${chars(r, 20, B64URL)}`, issue: true },
  { kind: 'gitlab_token', form: 'runner registration', make: (r) => `GR1348941${chars(r, 20, B64URL)}`, issue: true },
  { kind: 'gitlab_token', form: 'feed', make: (r) => `glft-${chars(r, 20, B64URL)}`, issue: true },
  { kind: 'gitlab_token', form: 'CI job', make: (r) => `glcbt-${chars(r, 2, HEXL)}_${chars(r, 20, B64URL)}`, issue: true },
  { kind: 'gitlab_token', form: 'SCIM', make: (r) => `glsoat-${chars(r, 20, B64URL)}`, issue: true },
  { kind: 'gitlab_token', form: 'OAuth app secret', make: (r) => `gloas-${chars(r, 64, HEXL)}`, issue: true },
  { kind: 'gitlab_token', form: 'pipeline trigger', make: (r) => `glptt-${chars(r, 40, HEXL)}`, issue: true },
  { kind: 'anthropic_key', form: 'api', make: (r) => `sk-ant-api03-${chars(r, 93, B64URL)}AA` },
  { kind: 'openai_key', form: 'project', make: (r) => `sk-proj-${chars(r, 74, B64URL)}T3BlbkFJ${chars(r, 74, B64URL)}` },
  { kind: 'openai_key', form: 'legacy', make: (r) => `sk-${chars(r, 20)}T3BlbkFJ${chars(r, 20)}` },
  { kind: 'openrouter_key', form: 'v1', make: (r) => `sk-or-v1-${chars(r, 64, HEXL)}` },
  { kind: 'xai_key', form: 'api', make: (r) => `xai-${chars(r, 80)}` },
  { kind: 'groq_key', form: 'api', make: (r) => `gsk_${chars(r, 52)}` },
  { kind: 'perplexity_key', form: 'api', make: (r) => `pplx-${chars(r, 48)}` },
  { kind: 'replicate_token', form: 'api', make: (r) => `r8_${chars(r, 37)}` },
  { kind: 'huggingface_token', form: 'user', make: (r) => `hf_${chars(r, 34)}` },
  { kind: 'huggingface_token', form: 'org', make: (r) => `api_org_${chars(r, 34)}` },
  { kind: 'stripe_key', form: 'secret', make: (r) => `sk_live_${chars(r, 24)}` },
  { kind: 'stripe_key', form: 'webhook', make: (r) => `whsec_${chars(r, 32)}` },
  { kind: 'slack_token', form: 'bot', make: (r) => `xoxb-${chars(r, 12, '0123456789')}-${chars(r, 13, '0123456789')}-${chars(r, 24)}` },
  { kind: 'slack_token', form: 'app', make: (r) => `xapp-1-A${chars(r, 10, UPPER_NUM)}-${chars(r, 13, '0123456789')}-${chars(r, 64, HEXL)}`, issue: true },
  { kind: 'slack_token', form: 'config', make: (r) => `xoxe.xoxp-1-${chars(r, 120)}`, issue: true },
  { kind: 'slack_webhook', form: 'incoming', make: (r) => `https://hooks.slack.com/services/T${chars(r, 8, UPPER_NUM)}/B${chars(r, 10, UPPER_NUM)}/${chars(r, 24)}` },
  { kind: 'discord_webhook', form: 'webhook', make: (r) => `https://discord.com/api/webhooks/${chars(r, 18, '0123456789')}/${chars(r, 68, B64URL)}` },
  { kind: 'telegram_bot_token', form: 'bot', make: (r) => `${chars(r, 10, '0123456789')}:AA${chars(r, 33, B64URL)}` },
  { kind: 'npm_token', form: 'automation', make: (r) => `npm_${chars(r, 36)}` },
  { kind: 'pypi_token', form: 'upload', make: (r) => `pypi-AgEIcHlwaS5vcmc${chars(r, 70, B64URL)}`, issue: true },
  { kind: 'rubygems_key', form: 'api', make: (r) => `rubygems_${chars(r, 48, HEXL)}` },
  { kind: 'google_api_key', form: 'api key', make: (r) => `AIza${chars(r, 35, B64URL)}`, issue: true },
  { kind: 'google_token', form: 'access', make: (r) => `ya29.a0${chars(r, 60, B64URL)}` },
  { kind: 'google_token', form: 'oauth client secret', make: (r) => `GOCSPX-${chars(r, 28, B64URL)}` },
  { kind: 'aws_access_key_id', form: 'long-term', make: (r) => `AKIA${chars(r, 16, UPPER_NUM)}` },
  { kind: 'digitalocean_token', form: 'personal', make: (r) => `dop_v1_${chars(r, 64, HEXL)}`, issue: true },
  { kind: 'digitalocean_token', form: 'oauth', make: (r) => `doo_v1_${chars(r, 64, HEXL)}`, issue: true },
  { kind: 'grafana_token', form: 'api key', make: (r) => b64url(`{"k":"${chars(r, 32)}","n":"ci","id":${Math.floor(r.next() * 1e6)}}`).replace(/[-_]/g, 'A'), issue: true },
  { kind: 'grafana_token', form: 'cloud', make: (r) => `glc_${chars(r, 32, B64)}${chars(r, 40)}`, issue: true },
  { kind: 'grafana_token', form: 'service account', make: (r) => `glsa_${chars(r, 32)}_${chars(r, 8, HEXL)}`, issue: true },
  { kind: 'shopify_token', form: 'access', make: (r) => `shpat_${chars(r, 32, HEXL)}`, issue: true },
  { kind: 'shopify_token', form: 'shared secret', make: (r) => `shpss_${chars(r, 32, HEXL)}`, issue: true },
  { kind: 'sendgrid_key', form: 'api', make: (r) => `SG.${chars(r, 22, B64URL)}.${chars(r, 43, B64URL)}`, issue: true },
  { kind: 'twilio_key', form: 'api key', make: (r) => `SK${chars(r, 32, HEXL)}`, issue: true },
  { kind: 'mailgun_key', form: 'api', make: (r) => `key-${chars(r, 32, HEXL)}` },
  { kind: 'linear_key', form: 'api', make: (r) => `lin_api_${chars(r, 40)}`, issue: true },
  { kind: 'notion_token', form: 'integration', make: (r) => `secret_${chars(r, 43)}`, issue: true },
  { kind: 'notion_token', form: 'ntn', make: (r) => `ntn_${chars(r, 11, '0123456789')}${chars(r, 35)}`, issue: true },
  { kind: 'sentry_token', form: 'user', make: (r) => `sntryu_${chars(r, 64, HEXL)}`, issue: true },
  { kind: 'sentry_token', form: 'org', make: (r) => `sntrys_${b64url(`{"iat":1700000000.1,"url":"https://sentry.io","org":"acme"}`)}_${chars(r, 43)}`, issue: true },
  { kind: 'doppler_token', form: 'personal', make: (r) => `dp.pt.${chars(r, 43)}`, issue: true },
  { kind: 'doppler_token', form: 'service', make: (r) => `dp.st.${chars(r, 43)}`, issue: true },
  { kind: 'terraform_token', form: 'user', make: (r) => `${chars(r, 14)}.atlasv1.${chars(r, 67)}`, issue: true },
  { kind: 'databricks_token', form: 'personal', make: (r) => `dapi${chars(r, 32, HEXL)}`, issue: true },
  { kind: 'heroku_key', form: 'v2', make: (r) => `HRKU-AA${chars(r, 58, B64URL)}`, issue: true },
  { kind: 'pulumi_token', form: 'access', make: (r) => `pul-${chars(r, 40, HEXL)}`, issue: true },
  { kind: 'postman_key', form: 'api', make: (r) => `PMAK-${chars(r, 24, HEXL)}-${chars(r, 34, HEXL)}`, issue: true },
  { kind: 'age_secret_key', form: 'x25519', make: (r) => `AGE-SECRET-KEY-1${chars(r, 58, BECH32)}`, issue: true },
  { kind: 'onepassword_token', form: 'service account', make: (r) => `ops_${b64url(`{"signInAddress":"my.1password.com","userAuth":{"method":"SRPg-4096","alg":"PBES2g-HS256","iterations":650000,"salt":"${chars(r, 22)}"},"email":"${chars(r, 12, HEXL)}@1passwordserviceaccounts.com","srpX":"${chars(r, 64, HEXL)}","muk":{"alg":"A256GCM","ext":true,"k":"${chars(r, 43)}","key_ops":["encrypt","decrypt"],"kty":"oct","kid":"mp"},"secretKey":"A3-${chars(r, 6, UPPER_NUM)}-${chars(r, 6, UPPER_NUM)}-${chars(r, 5, UPPER_NUM)}-${chars(r, 5, UPPER_NUM)}-${chars(r, 5, UPPER_NUM)}-${chars(r, 5, UPPER_NUM)}","throttleSecret":{"seed":"${chars(r, 64, HEXL)}","deviceUuid":"${chars(r, 26)}"},"deviceUuid":"${chars(r, 26)}"}`)}`, issue: true },
  { kind: 'onepassword_token', form: 'secret key', make: (r) => `A3-${chars(r, 6, UPPER_NUM)}-${chars(r, 6, UPPER_NUM)}-${chars(r, 5, UPPER_NUM)}-${chars(r, 5, UPPER_NUM)}-${chars(r, 5, UPPER_NUM)}-${chars(r, 5, UPPER_NUM)}`, issue: true },
  { kind: 'atlassian_token', form: 'api', make: (r) => `ATATT3xFfGF0${chars(r, 180, B64URL)}=${chars(r, 8, HEXL.toUpperCase())}`, issue: true },
  { kind: 'artifactory_token', form: 'api key', make: (r) => `AKCp${chars(r, 69)}`, issue: true },
  { kind: 'artifactory_token', form: 'reference', make: (r) => `cmVmd${chars(r, 59)}`, issue: true },
  { kind: 'figma_token', form: 'personal', make: (r) => `figd_${chars(r, 40, B64URL)}` },
  { kind: 'docker_token', form: 'personal', make: (r) => `dckr_pat_${chars(r, 27, B64URL)}` },
  { kind: 'vault_token', form: 'service', make: (r) => `hvs.${chars(r, 90, B64URL)}` },
  { kind: 'vercel_token', form: 'personal', make: (r) => `vcp_${chars(r, 56)}` },
  { kind: 'supabase_key', form: 'personal', make: (r) => `sbp_${chars(r, 40, HEXL)}` },
  { kind: 'netlify_token', form: 'personal', make: (r) => `nfp_${chars(r, 40)}` },
  { kind: 'fly_token', form: 'org', make: (r) => `fo1_${chars(r, 43, B64URL)}` },
  { kind: 'newrelic_key', form: 'user', make: (r) => `NRAK-${chars(r, 27, UPPER_NUM)}` },
  { kind: 'square_token', form: 'access', make: (r) => `EAAA${chars(r, 60, B64URL)}` },
  { kind: 'jwt', form: 'compact', make: (r) => `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(`{"sub":"${chars(r, 10)}","iat":1700000000}`)}.${chars(r, 43, B64URL)}` },
  { kind: 'jwt', form: 'spaced header', make: (r) => `${b64url('{ "alg": "RS256", "typ": "JWT" }')}.${b64url(`{ "sub": "${chars(r, 10)}" }`)}.${chars(r, 86, B64URL)}`, issue: true },
  { kind: 'jwt', form: 'pretty header', make: (r) => `${b64url('{\n  "alg": "ES256"\n}')}.${b64url(`{\n  "sub": "${chars(r, 10)}"\n}`)}.${chars(r, 86, B64URL)}`, issue: true },
  {
    kind: 'private_key',
    form: 'pem',
    make: (r) => ['-----BEGIN RSA PRIVATE KEY-----', chars(r, 64, B64), chars(r, 64, B64), `${chars(r, 20, B64)}==`, '-----END RSA PRIVATE KEY-----'].join('\n'),
  },
];

/** Near misses of each kind: a format too short, the wrong alphabet, an example. Never redacted. */
export function nearMisses(r: Rng): string[] {
  return [
    `ghp_${chars(r, 10)}`,
    `glpat-short`,
    `AIza${chars(r, 20)}`,
    `pypi-${chars(r, 10)}`,
    `dop_v1_${chars(r, 20, HEXL)}`,
    `shpat_${chars(r, 31, HEXL)}z`,
    `SG.${chars(r, 10)}`,
    `SK${chars(r, 31, HEXL)}`,
    `lin_api_${chars(r, 10)}`,
    `sntryu_${chars(r, 20, HEXL)}`,
    `dp.pt.${chars(r, 10)}`,
    `dapi${chars(r, 16, HEXL)}`,
    `pul-${chars(r, 20, HEXL)}`,
    `PMAK-${chars(r, 24, HEXL)}`,
    `AGE-SECRET-KEY-1${chars(r, 20, BECH32)}`,
    'ops_e',
    `ATATT3${chars(r, 30)}`,
    `AKCp${chars(r, 20)}`,
    `xapp-${chars(r, 5)}`,
    `glrt-${chars(r, 5)}`,
    'eyJhbGciOiJIUzI1NiJ9',
    `eA${chars(r, 20)}.${chars(r, 20)}.${chars(r, 20)}`,
    'secret_key_base_generator',
    'task-123 disk-usage',
  ];
}
