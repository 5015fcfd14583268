/**
 * Provider tokens: credentials whose issuer gives them a fixed prefix or shape, so they are found
 * wherever they stand (bare in tool output, in a `.env` line, in JSON, in a URL). Written for
 * harvest from the formats the providers document; no other project's rules are copied here.
 * Each match is replaced whole by `[REDACTED:<kind>]`.
 */
import type { SecretRule } from './rule.ts';

// The end of a token: not followed by a character the token could still hold.
const END = String.raw`(?![A-Za-z0-9_-])`;
const END_B64 = String.raw`(?![A-Za-z0-9+/=_-])`;

/**
 * A rule found by its literal prefixes (at the start of a word) or, where the token does not start
 * with one, by words inside it (`123:AA...`, `x.atlasv1.y`). The literals feed the prefilter.
 */
function rule(kind: string, prefixes: string[], wordsOrPattern: string[] | string, maybePattern?: string): SecretRule {
  const words = Array.isArray(wordsOrPattern) ? wordsOrPattern : undefined;
  const pattern = typeof wordsOrPattern === 'string' ? wordsOrPattern : maybePattern!;
  return { kind, prefixes, ...(words ? { words } : {}), pattern: new RegExp(pattern, 'g') };
}

export const PROVIDER_RULES: readonly SecretRule[] = [
  rule('github_token', ['ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_', 'github_pat_'], String.raw`\b(?:gh[opsur]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})`),
  // GitLab's prefixed families: personal, deploy, runner, feed, CI job, SCIM, OAuth app secret,
  // incoming mail, pipeline trigger, agent, feature flags, workspace; and runner registration.
  rule(
    'gitlab_token',
    ['glpat-', 'gldt-', 'glrt-', 'glft-', 'glcbt-', 'glsoat-', 'gloas-', 'glimt-', 'glptt-', 'glagent-', 'glffct-', 'glwt-', 'GR1348941'],
    String.raw`\b(?:gl(?:pat|dt|rt|ft|soat|oas|imt|ptt|agent|ffct|wt)-[A-Za-z0-9_.-]{20,}|glcbt-[A-Za-z0-9]{1,5}_[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,})`,
  ),
  rule('anthropic_key', ['sk-ant-'], String.raw`\bsk-ant-[A-Za-z0-9_-]{20,}`),
  rule('openrouter_key', ['sk-or-'], String.raw`\bsk-or-v1-[A-Za-z0-9]{32,}${END}`),
  rule('openai_key', ['sk-'], String.raw`\bsk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{32,}${END})`),
  rule('xai_key', ['xai-'], String.raw`\bxai-[A-Za-z0-9]{60,}${END}`),
  rule('groq_key', ['gsk_'], String.raw`\bgsk_[A-Za-z0-9]{40,}${END}`),
  rule('perplexity_key', ['pplx-'], String.raw`\bpplx-[A-Za-z0-9]{40,}${END}`),
  rule('replicate_token', ['r8_'], String.raw`\br8_[A-Za-z0-9]{37}${END}`),
  rule('huggingface_token', ['hf_', 'api_org_'], String.raw`\b(?:hf|api_org)_[A-Za-z0-9]{30,}${END}`),
  rule('stripe_key', ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'whsec_'], String.raw`\b(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/=]{24,})`),
  rule('slack_token', ['xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxs-', 'xoxr-', 'xoxe', 'xapp-'], String.raw`\b(?:xox[abposr]-[A-Za-z0-9-]{10,}|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9-]{20,}|xapp-\d-[A-Za-z0-9-]{20,})`),
  rule('slack_webhook', ['hooks.slack.com'], String.raw`https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}`),
  rule('discord_webhook', ['discord.com/api/webhooks', 'discordapp.com/api/webhooks'], String.raw`https?://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]{40,}`),
  rule('telegram_bot_token', [], [':aa'], String.raw`\b\d{8,10}:AA[A-Za-z0-9_-]{33}${END}`),
  rule('npm_token', ['npm_'], String.raw`\bnpm_[A-Za-z0-9]{36}${END}`),
  rule('pypi_token', ['pypi-Ag'], String.raw`\bpypi-Ag[A-Za-z0-9_-]{50,}`),
  rule('rubygems_key', ['rubygems_'], String.raw`\brubygems_[a-f0-9]{48}\b`),
  rule('google_api_key', ['AIza'], String.raw`\bAIza[0-9A-Za-z_-]{35}${END}`),
  rule('google_token', ['ya29.', '1//', 'GOCSPX-'], String.raw`\bya29\.[A-Za-z0-9_-]{20,}|(?<![\w/:.])1//[A-Za-z0-9_-]{35,}|\bGOCSPX-[A-Za-z0-9_-]{28}${END}`),
  rule('aws_access_key_id', ['AKIA', 'ASIA', 'A3T', 'AGPA', 'AIDA', 'AROA', 'AIPA', 'ANPA', 'ANVA'], String.raw`\b(?:AKIA|ASIA|A3T[A-Z0-9]|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b`),
  rule('digitalocean_token', ['dop_v1_', 'doo_v1_', 'dor_v1_'], String.raw`\bdo[opr]_v1_[a-f0-9]{64}\b`),
  // Cloud access policy tokens, service account tokens, and the older API keys (base64 of `{"k":`).
  rule('grafana_token', ['glc_', 'glsa_', 'eyJrIjoi'], String.raw`\b(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b|eyJrIjoi[A-Za-z0-9+/]{40,}={0,2})`),
  rule('shopify_token', ['shpat_', 'shpca_', 'shppa_', 'shpss_'], String.raw`\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b`),
  rule('sendgrid_key', ['SG.'], String.raw`\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}${END}`),
  rule('twilio_key', ['SK'], String.raw`\bSK[0-9a-fA-F]{32}\b`),
  rule('mailgun_key', ['key-'], String.raw`\bkey-[0-9a-f]{32}\b`),
  rule('linear_key', ['lin_api_', 'lin_oauth_'], String.raw`\b(?:lin_api_[A-Za-z0-9]{40}|lin_oauth_[a-f0-9]{64})\b`),
  rule('notion_token', ['secret_', 'ntn_'], String.raw`\b(?:secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})\b`),
  rule('sentry_token', ['sntryu_', 'sntrys_'], String.raw`\b(?:sntryu_[a-f0-9]{64}\b|sntrys_eyJ[A-Za-z0-9+/=_-]{40,})`),
  rule('doppler_token', ['dp.'], String.raw`\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}\b`),
  rule('terraform_token', [], ['.atlasv1.'], String.raw`\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}${END_B64}`),
  rule('databricks_token', ['dapi'], String.raw`\bdapi[a-f0-9]{32}(?:-\d)?\b`),
  rule('heroku_key', ['HRKU-'], String.raw`\bHRKU-[A-Za-z0-9_-]{58,64}${END}`),
  rule('pulumi_token', ['pul-'], String.raw`\bpul-[a-f0-9]{40}\b`),
  rule('postman_key', ['PMAK-'], String.raw`\bPMAK-[A-Fa-f0-9]{24}-[A-Fa-f0-9]{34}\b`),
  rule('age_secret_key', ['AGE-SECRET-KEY-1'], String.raw`\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b`),
  // Service account tokens, and account secret keys (A3-XXXXXX-XXXXXX-XXXXX-XXXXX-XXXXX-XXXXX).
  rule('onepassword_token', ['ops_eyJ', 'A3-'], String.raw`\b(?:ops_eyJ[A-Za-z0-9+/=_-]{60,}|A3-[A-Z0-9]{6}-[A-Z0-9]{6}(?:-[A-Z0-9]{5}){4})${END_B64}`),
  rule('atlassian_token', ['ATATT3', 'ATCTT3'], String.raw`\bAT[AC]TT3[A-Za-z0-9_=-]{100,}`),
  rule('artifactory_token', ['AKCp', 'cmVmd'], String.raw`\b(?:AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59})\b`),
  rule('figma_token', ['figd_', 'figo_', 'figu_'], String.raw`\bfig[dou]_[A-Za-z0-9_-]{40,}`),
  rule('docker_token', ['dckr_pat_', 'dckr_oat_'], String.raw`\bdckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}`),
  rule('vault_token', ['hvs.', 'hvb.', 'hvr.'], String.raw`\bhv[sbr]\.[A-Za-z0-9_-]{24,}`),
  rule('vercel_token', ['vcp_', 'vck_', 'vci_', 'vca_', 'vcr_'], String.raw`\bvc[pkiar]_[A-Za-z0-9]{24,}${END}`),
  rule('supabase_key', ['sbp_', 'sb_secret_'], String.raw`\b(?:sbp_[a-f0-9]{40}\b|sb_secret_[A-Za-z0-9_-]{24,})`),
  rule('netlify_token', ['nfp_'], String.raw`\bnfp_[A-Za-z0-9]{36,}${END}`),
  rule('fly_token', ['fo1_', 'fm1_', 'fm2_', 'fm1a_', 'fm1r_', 'fm2a_', 'fm2r_'], String.raw`\b(?:fo1_[A-Za-z0-9_-]{40,}|fm[12][ar]?_[A-Za-z0-9+/=_-]{60,})`),
  rule('newrelic_key', ['NRAK-', 'NRII-', 'NRJS-'], String.raw`\bNR(?:AK|II|JS)-[A-Za-z0-9]{27,}${END}`),
  rule('square_token', ['sq0atp-', 'sq0csp-', 'EAAA'], String.raw`\b(?:sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_-]{60})${END}`),
];
