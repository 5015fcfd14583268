// The places an agent meets secrets, for rule tests and the coverage figure: `.env` line, JSON,
// YAML, shell export, command line, HTTP header, URL, prose; and the kinds that live in a context.
import { B64, chars, rng } from './fake-tokens.ts';

export const CONTEXTS: Record<string, (t: string) => string> = {
  env: (t) => `SERVICE_TOKEN=${t}`,
  json: (t) => JSON.stringify({ service: { credential: t, region: 'eu-west-1' } }),
  yaml: (t) => `service:\n  credential: "${t}"\n  region: eu-west-1`,
  shell: (t) => `export SERVICE_CREDENTIAL='${t}'`,
  command: (t) => `deploy-tool push --target prod ${t} --verbose`,
  header: (t) => `curl -s -H "X-Service-Auth: ${t}" https://api.example.com/v1/items`,
  url: (t) => `https://api.example.com/v1/items?page=2&credential=${t}&sort=asc`,
  prose: (t) => `I found ${t} in the build log; rotate it before merging.`,
};

const r = rng(42);
const AWS_SECRET = chars(r, 40, B64);
const BEARER = chars(r, 40);
const PASS = `${chars(r, 12)}!x`;
export const CONTEXT_PASSWORD = PASS;

// Kinds that live in a context (a key, a header, a URL, a command): [kind, text, what must go].
export const CONTEXT_CASES: Record<string, [string, string][]> = {
  aws_secret_key: [
    [`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, AWS_SECRET],
    [JSON.stringify({ SecretAccessKey: AWS_SECRET }), AWS_SECRET],
    [`aws_secret_access_key: ${AWS_SECRET}`, AWS_SECRET],
    [`export AWS_SECRET_ACCESS_KEY="${AWS_SECRET}"`, AWS_SECRET],
    [`aws configure set aws_secret_access_key ${AWS_SECRET}`, AWS_SECRET],
    [`X-Aws-Secret-Access-Key: ${AWS_SECRET}`, AWS_SECRET],
    [`https://x.example.com/sign?aws_secret_access_key=${AWS_SECRET}`, AWS_SECRET],
    [`The secret_access_key = ${AWS_SECRET} came from the vault.`, AWS_SECRET],
  ],
  auth_header: [
    [`AUTHORIZATION=Bearer ${BEARER}`, BEARER],
    [JSON.stringify({ headers: { Authorization: `Bearer ${BEARER}` } }), BEARER],
    [`headers:\n  Authorization: "Basic ${Buffer.from('deploy:' + PASS).toString('base64')}"`, Buffer.from('deploy:' + PASS).toString('base64')],
    [`export AUTHORIZATION="token ${BEARER}"`, BEARER],
    [`curl -H 'Authorization: Bearer ${BEARER}' https://api.example.com`, BEARER],
    [`Proxy-Authorization: Basic ${Buffer.from('u:' + PASS).toString('base64')}`, Buffer.from('u:' + PASS).toString('base64')],
    [`https://api.example.com/?authorization=${BEARER}`, BEARER],
    [`send it with bearer ${BEARER} and retry`, BEARER],
  ],
  cookie: [
    [`curl -H "Cookie: session=${BEARER}; theme=dark" https://app.example.com`, BEARER],
    [`Set-Cookie: sid=${BEARER}; Path=/; HttpOnly`, BEARER],
  ],
  secret_assignment: [
    [`DB_PASSWORD=${PASS}`, PASS],
    [JSON.stringify({ db: { password: PASS } }), PASS],
    [`db:\n  password: ${PASS}`, PASS],
    [`export DB_PASS='${PASS}'`, PASS],
    [`mysql --host db password=${PASS}`, PASS],
    [`X-Api-Key: ${BEARER}`, BEARER],
    [`https://api.example.com/v1?api_key=${BEARER}&q=1`, BEARER],
    [`Set the api_key = "${PASS}" in the dashboard.`, PASS],
    [`AccountKey=${AWS_SECRET};EndpointSuffix=core.windows.net`, AWS_SECRET],
  ],
  url_credentials: [
    [`DATABASE_URL=postgres://app:${PASS}@db.internal:5432/app`, PASS],
    [JSON.stringify({ mongo: `mongodb+srv://svc:${PASS}@cluster0.abcd.mongodb.net/prod` }), PASS],
    [`cache:\n  url: redis://:${PASS}@cache.internal:6379/0`, PASS],
    [`export AMQP_URL=amqp://guest:${PASS}@mq:5672/`, PASS],
    [`git clone https://deploy:${PASS}@git.example.com/o/r.git`, PASS],
    [`Location: https://u:${PASS}@files.example.com/x`, PASS],
    [`open ftp://anon:${PASS}@ftp.example.org/pub`, PASS],
    [`connect with alice:${PASS}@db.example.org as before`, PASS],
  ],
  basic_auth: [
    [`curl -u admin:${PASS} https://api.example.com/v1`, PASS],
    [`curl -s --user "ci:${PASS}" https://api.example.com`, PASS],
    [`curl --proxy-user p:${PASS} -x proxy:3128 https://x.example.com`, PASS],
  ],
  secret_flag: [
    [`psql --host db --password ${PASS}`, PASS],
    [`gh-release --api-key "${BEARER}" --draft`, BEARER],
    [`sshpass -p '${PASS}' ssh deploy@host`, PASS],
    [`docker login -u ci -p ${PASS} registry.example.com`, PASS],
    [`mysql -u root -p${PASS} app`, PASS],
  ],
  openai_key: [[`key sk-${chars(r, 48)}`, '']],
  google_token: [[`refresh 1//0g${chars(r, 90, B64.replace('+/', '-_'))}`, '']],
  aws_access_key_id: [[`session ASIA${chars(r, 16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`, '']],
};

