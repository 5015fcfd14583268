// Credentials: parsing, constant-time comparison, who gets which access.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config.ts';
import { accessOf, assertSafeListen, isLoopback, loadHttpAuth, parseCredential, safeEqual } from '../../src/http/auth.ts';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

test('credentials are user:password; the password may contain colons', () => {
  assert.deepEqual(parseCredential('X', 'ops:s3:cr3t'), { user: 'ops', password: 's3:cr3t' });
  assert.equal(parseCredential('X', undefined), undefined);
  assert.throws(() => parseCredential('HARVEST_AUTH', 'justuser'), (e: Error) => e instanceof ConfigError && /HARVEST_AUTH/.test(e.message));
  assert.throws(() => parseCredential('X', ':pw'), ConfigError);
  assert.throws(() => loadHttpAuth({ HARVEST_API_TOKEN: 'short' }), /at least 16/);
});

test('full, viewer and bearer access; wrong or missing credentials get none', () => {
  const auth = loadHttpAuth({ HARVEST_AUTH: 'admin:pw-a', HARVEST_VIEWER_AUTH: 'view:pw-v', HARVEST_API_TOKEN: 'tok-0123456789abcdef' });
  assert.equal(accessOf(auth, basic('admin', 'pw-a')), 'full');
  assert.equal(accessOf(auth, basic('view', 'pw-v')), 'read');
  assert.equal(accessOf(auth, 'Bearer tok-0123456789abcdef'), 'full');
  assert.equal(accessOf(auth, basic('admin', 'pw-v')), null);
  assert.equal(accessOf(auth, basic('view', 'pw-a')), null);
  assert.equal(accessOf(auth, 'Bearer nope'), null);
  assert.equal(accessOf(auth, undefined), null);
  assert.equal(accessOf(auth, 'Digest x'), null);
  const ro = loadHttpAuth({ HARVEST_AUTH: 'admin:pw-a' }, { readOnly: true });
  assert.equal(accessOf(ro, basic('admin', 'pw-a')), 'read');
  // No credentials configured (loopback only): open, read-only if asked.
  assert.equal(accessOf(loadHttpAuth({}), undefined), 'full');
  assert.equal(accessOf(loadHttpAuth({}, { readOnly: true }), undefined), 'read');
});

test('safeEqual compares any lengths', () => {
  assert.equal(safeEqual('abc', 'abc'), true);
  assert.equal(safeEqual('abc', 'abcd'), false);
  assert.equal(safeEqual('', ''), true);
});

test('beyond loopback only with credentials', () => {
  for (const h of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.org']) assert.equal(isLoopback(h), false, h);
  assert.doesNotThrow(() => assertSafeListen('127.0.0.1', loadHttpAuth({})));
  assert.throws(() => assertSafeListen('0.0.0.0', loadHttpAuth({})), /refusing to listen on 0\.0\.0\.0 without authentication/);
  assert.doesNotThrow(() => assertSafeListen('0.0.0.0', loadHttpAuth({ HARVEST_AUTH: 'a:b' })));
});
