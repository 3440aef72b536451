import { describe, expect, it } from 'vitest';
import { KeyportError } from '../../errors';
import { serverRecord } from '../../../../../test/support/providerTesting';
import type { ServerRecord } from '../../vault/records';
import type { SessionMaterial } from '../provider';
import { describeKey, KEYRING_SERVICE, keyringDomain, keyringPath, parseKeyring, removeFromKeyring, renderKeyring } from './anacondaKeyring';

/** The dummy key of docs/protocols/anaconda.md, "Exact example": {"alg":"RS256","typ":"JWT"}.{"exp":1826976000,"sub":"alice"}.c2ln */
const DOC_KEY = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE4MjY5NzYwMDAsInN1YiI6ImFsaWNlIn0.c2ln';
const DOC_KEY_EXPIRY = new Date(1826976000 * 1000).toISOString();

/** The 526 bytes anaconda-auth 0.15.3's TokenInfo.save() wrote (docs/protocols/anaconda.md). */
const DOC_FILE =
  '{"Anaconda Cloud": {"anaconda.com": "eyJkb21haW4iOiJhbmFjb25kYS5jb20iLCJhcGlfa2V5IjoiZXlKaGJHY2lPaUpTVXpJMU5pSXNJblI1Y0NJNklrcFhWQ0o5LmV5SmxlSEFpT2pFNE1qWTVOell3TURBc0luTjFZaUk2SW1Gc2FXTmxJbjAuYzJsbiIsInJlcG9fdG9rZW5zIjpbXSwidmVyc2lvbiI6Mn0=", ' +
  '"127.0.0.1:8443": "eyJkb21haW4iOiIxMjcuMC4wLjE6ODQ0MyIsImFwaV9rZXkiOiJleUpoYkdjaU9pSlNVekkxTmlJc0luUjVjQ0k2SWtwWFZDSjkuZXlKbGVIQWlPakU0TWpZNU56WXdNREFzSW5OMVlpSTZJbUZzYVdObEluMC5jMmxuIiwicmVwb190b2tlbnMiOlt7InRva2VuIjoicmVwby1zZWNyZXQiLCJvcmdfbmFtZSI6ImFjbWUifV0sInZlcnNpb24iOjJ9"}}';

/** A JWT whose payload is `payload` (no signature check anywhere, as in anaconda-auth). */
const jwt = (payload: unknown): string =>
  `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;
const OLD_KEY = jwt({ exp: 1700000000, sub: 'alice' });

/** An entry value as anaconda-auth writes it: standard, padded base64 of the compact JSON. */
const value = (entry: unknown): string => Buffer.from(JSON.stringify(entry), 'utf8').toString('base64');
const decode = (v: string): unknown => JSON.parse(Buffer.from(v, 'base64').toString('utf8'));
const file = (outer: unknown): string => JSON.stringify(outer);

const site = (url: string): ServerRecord => serverRecord({ kind: 'anaconda', url, name: `Anaconda ${url}` });
const material = (session: string): SessionMaterial => ({ session, credential: null, expiresAt: null, user: { name: 'alice' }, attributes: {} });

/** The FILE_ERROR `fn` throws; fails when the error carries one of `secrets`. */
function refusal(fn: () => unknown, secrets: readonly string[]): KeyportError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(KeyportError);
  const error = caught as KeyportError;
  expect(error.code).toBe('FILE_ERROR');
  expect(error.field).toBe('path');
  const text = JSON.stringify({ ...error.toShape(), stack: error.stack });
  for (const secret of secrets) expect(text.includes(secret), 'the error carries a secret').toBe(false);
  return error;
}

describe('parseKeyring', () => {
  it('an empty file (anaconda-auth creates one just by starting) holds no sessions', () => {
    expect(parseKeyring('')).toEqual([]);
    expect(parseKeyring('  \n')).toEqual([]);
    expect(parseKeyring('{}')).toEqual([]);
    expect(parseKeyring(file({ [KEYRING_SERVICE]: {} }))).toEqual([]);
    expect(parseKeyring(file({ 'Other service': { 'anaconda.com': 'c2VjcmV0' } }))).toEqual([]);
  });

  it('reads the documented example: https for a real domain, http for a loopback one, expiry from the key’s exp', () => {
    const sessions = parseKeyring(DOC_FILE);
    expect(sessions).toEqual([
      {
        server: { url: 'https://anaconda.com', options: {}, suggestedName: 'Anaconda anaconda.com' },
        session: DOC_KEY,
        credential: null,
        expiresAt: DOC_KEY_EXPIRY,
        user: { name: 'owner of the API key for anaconda.com' },
      },
      {
        server: { url: 'http://127.0.0.1:8443', options: {}, suggestedName: 'Anaconda 127.0.0.1:8443' },
        session: DOC_KEY,
        credential: null,
        expiresAt: DOC_KEY_EXPIRY,
        user: { name: 'owner of the API key for 127.0.0.1:8443' },
      },
    ]);
  });

  it('accepts version 1 (anaconda-cloud-auth) and 2, a missing version, and a username when there is one', () => {
    const sessions = parseKeyring(
      file({
        [KEYRING_SERVICE]: {
          'anaconda.cloud': value({ domain: 'anaconda.cloud', api_key: DOC_KEY, repo_tokens: [], version: 1 }),
          'anaconda.com': value({ domain: 'anaconda.com', api_key: DOC_KEY, username: 'alice@example.com', repo_tokens: [], version: 2 }),
          'repo.example.com': value({ domain: 'repo.example.com', api_key: DOC_KEY, repo_tokens: [] }),
        },
      }),
    );
    expect(sessions.map((s) => [s.server.url, s.user.name])).toEqual([
      ['https://anaconda.cloud', 'owner of the API key for anaconda.cloud'],
      ['https://anaconda.com', 'alice@example.com'],
      ['https://repo.example.com', 'owner of the API key for repo.example.com'],
    ]);
  });

  it('a username that is not text is not taken as the user’s name (it would reach the UI as an object)', () => {
    const names = parseKeyring(
      file({
        [KEYRING_SERVICE]: Object.fromEntries(
          [5, { first: 'alice' }, ['alice'], true, ''].map((username, i) => [`s${i}.example.com`, value({ domain: `s${i}.example.com`, api_key: DOC_KEY, username, repo_tokens: [] })]),
        ),
      }),
    ).map((s) => s.user.name);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `owner of the API key for s${i}.example.com`));
  });

  it('accepts repo tokens with and without org_name, and a missing repo_tokens', () => {
    const sessions = parseKeyring(
      file({
        [KEYRING_SERVICE]: {
          'a.example.com': value({ domain: 'a.example.com', api_key: DOC_KEY, repo_tokens: [{ token: 'repo-secret' }, { token: 'other', org_name: 'acme' }], version: 2 }),
          'b.example.com': value({ domain: 'b.example.com', api_key: DOC_KEY }),
        },
      }),
    );
    expect(sessions.map((s) => s.server.url)).toEqual(['https://a.example.com', 'https://b.example.com']);
    // Repo tokens are not Keyport's: they never become the session.
    expect(sessions.every((s) => s.session === DOC_KEY)).toBe(true);
  });

  it('takes the domain from the key, not from the entry (anaconda-auth believes a different inner domain)', () => {
    const [session] = parseKeyring(file({ [KEYRING_SERVICE]: { '127.0.0.1:9999': value({ domain: 'evil.example.com', api_key: DOC_KEY, repo_tokens: [] }) } }));
    expect(session?.server.url).toBe('http://127.0.0.1:9999');
  });

  it('localhost is loopback (http); any other host, including a 127.0.0.2 or a port on a real name, is https', () => {
    const urls = parseKeyring(
      file({
        [KEYRING_SERVICE]: Object.fromEntries(['localhost:8080', '127.0.0.1', '127.0.0.2:80', 'anaconda.example.com:8443'].map((d) => [d, value({ domain: d, api_key: DOC_KEY, repo_tokens: [] })])),
      }),
    ).map((s) => s.server.url);
    expect(urls).toEqual(['http://localhost:8080', 'http://127.0.0.1', 'https://127.0.0.2:80', 'https://anaconda.example.com:8443']);
  });

  it('skips an entry without an API key (a logged-out site with only repo tokens)', () => {
    const sessions = parseKeyring(
      file({
        [KEYRING_SERVICE]: {
          'anaconda.com': value({ domain: 'anaconda.com', repo_tokens: [{ token: 'repo-secret', org_name: 'acme' }], version: 2 }),
          'other.example.com': value({ domain: 'other.example.com', api_key: DOC_KEY, repo_tokens: [] }),
        },
      }),
    );
    expect(sessions.map((s) => s.server.url)).toEqual(['https://other.example.com']);
  });

  it('refuses what anaconda-auth would silently discard or crash on, as FILE_ERROR on the path, never quoting a value', () => {
    const good = value({ domain: 'anaconda.com', api_key: DOC_KEY, repo_tokens: [{ token: 'repo-secret' }], version: 2 });
    const secrets = [DOC_KEY, 'repo-secret', good, good.slice(8, 40)];
    const expectations: Array<[string, string]> = [
      [`{"Anaconda Cloud": {"anaconda.com": "${good}"`, 'not valid JSON'],
      [`not json ${DOC_KEY}`, 'not valid JSON'],
      [`[${JSON.stringify(good)}]`, 'does not hold a JSON object'],
      ['"just a string"', 'does not hold a JSON object'],
      ['null', 'does not hold a JSON object'],
      [file({ [KEYRING_SERVICE]: { 'anaconda.com': 5 } }), 'not a map of entries'],
      [file({ [KEYRING_SERVICE]: { 'anaconda.com': null } }), 'not a map of entries'],
      [file({ [KEYRING_SERVICE]: { 'anaconda.com': { api_key: DOC_KEY } } }), 'not a map of entries'],
      [file({ [KEYRING_SERVICE]: [good] }), 'not a map of entries'],
      [file({ [KEYRING_SERVICE]: good }), 'not a map of entries'],
    ];
    for (const [text, why] of expectations) {
      const error = refusal(() => parseKeyring(text), secrets);
      expect(error.message, text.slice(0, 60)).toContain(why);
      expect(error.hint).toContain('Nothing was changed');
    }
  });

  it('refuses an entry that is not strict standard base64: URL-safe characters, missing padding, whitespace', () => {
    // A value with + and / in it, so that the URL-safe alphabet differs.
    let entry = { domain: 'anaconda.com', api_key: DOC_KEY, repo_tokens: [] as unknown[], version: 2 };
    for (let i = 0; !/[+/]/.test(value(entry)) || !value(entry).endsWith('='); i++) entry = { ...entry, repo_tokens: [{ token: `t${'?'.repeat(i)}~>` }] };
    const good = value(entry);
    expect(parseKeyring(file({ [KEYRING_SERVICE]: { 'anaconda.com': good } }))).toHaveLength(1);
    const bad = [good.replaceAll('+', '-').replaceAll('/', '_'), good.replace(/=+$/, ''), `${good.slice(0, 8)}\n${good.slice(8)}`, `${good}=`, Buffer.from(JSON.stringify(entry)).toString('base64url')];
    for (const v of bad) {
      const error = refusal(() => parseKeyring(file({ [KEYRING_SERVICE]: { 'anaconda.com': v } })), [DOC_KEY, v, good]);
      expect(error.message).toBe('This is not an Anaconda keyring file that Keyport can use: the entry for anaconda.com is not base64.');
    }
  });

  it('refuses an entry whose JSON is unreadable', () => {
    const v = Buffer.from(`{"domain":"anaconda.com","api_key":"${DOC_KEY}"`).toString('base64');
    const error = refusal(() => parseKeyring(file({ [KEYRING_SERVICE]: { 'anaconda.com': v } })), [DOC_KEY, v]);
    expect(error.message).toContain('the entry for anaconda.com is not readable');
  });

  it('refuses an API key that is not a JWT with a numeric exp (anaconda-auth crashes on those)', () => {
    const keys = [
      'not-a-jwt-but-a-secret',
      'a.b',
      jwt({ sub: 'alice' }),
      jwt({ exp: '1826976000', sub: 'alice' }),
      jwt({ exp: null }),
      `${DOC_KEY.split('.')[0]}.%%%%.c2ln`,
      `${DOC_KEY.split('.')[0]}.${Buffer.from('[1826976000]').toString('base64url')}.c2ln`,
    ];
    for (const key of keys) {
      const error = refusal(() => parseKeyring(file({ [KEYRING_SERVICE]: { 'anaconda.com': value({ domain: 'anaconda.com', api_key: key, repo_tokens: [] }) } })), [key]);
      expect(error.message, key).toBe('This is not an Anaconda keyring file that Keyport can use: the API key for anaconda.com is not a JWT with an expiry.');
    }
  });

  it('refuses an api_key that is not a string with FILE_ERROR too, never a TypeError', () => {
    for (const apiKey of [5, true, { exp: 1826976000 }, ['a', 'b', 'c']]) {
      refusal(() => parseKeyring(file({ [KEYRING_SERVICE]: { 'anaconda.com': value({ domain: 'anaconda.com', api_key: apiKey, repo_tokens: [] }) } })), []);
    }
  });

  it('refuses a key that is not a site address, quoting at most its first 60 characters', () => {
    for (const domain of ['https://anaconda.com', 'anaconda.com/path', 'a b', 'user@anaconda.com', 'anaconda.com?x=1']) {
      const error = refusal(() => parseKeyring(file({ [KEYRING_SERVICE]: { [domain]: value({ domain, api_key: DOC_KEY, repo_tokens: [] }) } })), [DOC_KEY]);
      expect(error.message).toContain('is not a site address');
    }
    const long = `${'x'.repeat(100)} y`;
    const error = refusal(() => parseKeyring(file({ [KEYRING_SERVICE]: { [long]: value({ domain: long, api_key: DOC_KEY, repo_tokens: [] }) } })), [DOC_KEY, long]);
    expect(error.message).toContain(`${'x'.repeat(59)}…`);
    expect(error.message).not.toContain('x'.repeat(60));
  });

  it('never quotes credentials, control or bidi characters of a key, in any message', () => {
    const keys = ['alice:hunter2-secret@anaconda.com', 'https://bob:pa55-secret@site.example', 'evil\u202eexample.com\u0007\n', `${'p'.repeat(5000)}-secret@host`];
    for (const key of keys) {
      for (const entry of [value({ domain: key, api_key: DOC_KEY, repo_tokens: [] }), 'not base64!', Buffer.from('{').toString('base64')]) {
        const error = refusal(() => parseKeyring(file({ [KEYRING_SERVICE]: { [key]: entry } })), ['hunter2', 'pa55', 'secret', '\u202e', '\u0007']);
        expect(error.message.length).toBeLessThan(200);
        expect(error.message).not.toMatch(/[\p{C}]/u);
      }
      const section = refusal(() => parseKeyring(file({ [key]: 5 })), ['hunter2', 'pa55', 'secret']);
      expect(section.message).toContain('section is not a map');
    }
    expect(describeKey('alice:pw@anaconda.com')).toBe('anaconda.com');
    expect(describeKey('\u0000\u202e')).toBe('(unnamed)');
  });

  it('skips an entry it cannot use when another is usable (the file is shared); with none usable, the first problem is the error', () => {
    const good = value({ domain: 'anaconda.com', api_key: DOC_KEY, repo_tokens: [] });
    const sessions = parseKeyring(file({ [KEYRING_SERVICE]: { 'broken.example.com': 'not base64!', 'a b': good, 'anaconda.com': good, 'old.example.com': value({ domain: 'x', api_key: 'not-a-jwt', repo_tokens: [] }) } }));
    expect(sessions.map((s) => s.server.url)).toEqual(['https://anaconda.com']);
    const error = refusal(() => parseKeyring(file({ [KEYRING_SERVICE]: { 'broken.example.com': 'not base64!', 'a b': good } })), [DOC_KEY]);
    expect(error.message).toContain('the entry for broken.example.com is not base64');
  });

  it('[::1] is loopback like 127.0.0.1 and localhost', () => {
    const [session] = parseKeyring(file({ [KEYRING_SERVICE]: { '[::1]:8443': value({ domain: '[::1]:8443', api_key: DOC_KEY, repo_tokens: [] }) } }));
    expect(session?.server.url).toBe('http://[::1]:8443');
  });
});

describe('renderKeyring', () => {
  it('writes the documented example byte for byte (526 bytes, no newline), keeping repo tokens and version of existing entries', () => {
    // The file before: the same two entries with an older key (and, for the second, a stale inner domain).
    const before = `{"Anaconda Cloud": {"anaconda.com": "${value({ domain: 'anaconda.com', api_key: OLD_KEY, repo_tokens: [], version: 2 })}", "127.0.0.1:8443": "${value({
      domain: 'stale.example.com',
      api_key: OLD_KEY,
      repo_tokens: [{ token: 'repo-secret', org_name: 'acme' }],
      version: 2,
    })}"}}`;
    const once = renderKeyring(site('https://anaconda.com'), material(DOC_KEY), before);
    const twice = renderKeyring(site('http://127.0.0.1:8443'), material(DOC_KEY), once);
    expect(twice).toBe(DOC_FILE);
    expect(Buffer.byteLength(twice)).toBe(526);
    expect(twice.endsWith('}')).toBe(true);
  });

  it('from no file, writes one service with one entry in pydantic’s compact form and the order domain, api_key, repo_tokens, version', () => {
    const text = renderKeyring(site('http://127.0.0.1:8443'), material(DOC_KEY), null);
    const outer = JSON.parse(text) as Record<string, Record<string, string>>;
    expect(Object.keys(outer)).toEqual([KEYRING_SERVICE]);
    const v = outer[KEYRING_SERVICE]?.['127.0.0.1:8443'] ?? '';
    expect(Buffer.from(v, 'base64').toString('utf8')).toBe(`{"domain":"127.0.0.1:8443","api_key":"${DOC_KEY}","repo_tokens":[],"version":2}`);
    expect(text).toBe(`{"Anaconda Cloud": {"127.0.0.1:8443": "${v}"}}`);
    // An empty file (anaconda-auth's first start) is the same as none.
    expect(renderKeyring(site('http://127.0.0.1:8443'), material(DOC_KEY), '')).toBe(text);
  });

  it('keeps username, repo_tokens (with and without org_name) and version 1 of an existing entry, in the inner key order', () => {
    const before = file({
      [KEYRING_SERVICE]: {
        'anaconda.com': value({ version: 1, repo_tokens: [{ token: 't1' }, { token: 't2', org_name: 'acme' }], username: 'alice', api_key: OLD_KEY, domain: 'anaconda.com' }),
      },
    });
    const text = renderKeyring(site('https://anaconda.com'), material(DOC_KEY), before);
    const v = (JSON.parse(text) as Record<string, Record<string, string>>)[KEYRING_SERVICE]?.['anaconda.com'] ?? '';
    expect(Buffer.from(v, 'base64').toString('utf8')).toBe(
      `{"domain":"anaconda.com","api_key":"${DOC_KEY}","username":"alice","repo_tokens":[{"token":"t1"},{"token":"t2","org_name":"acme"}],"version":1}`,
    );
  });

  it('keeps other services, other domains (values verbatim) and their order; an updated domain keeps its place; a new one goes last', () => {
    const odd = 'bm90IGV2ZW4gYSB0b2tlbg=='; // another tool's value, never re-encoded
    const before =
      `{"Other tool": {"x": "${odd}"}, "Anaconda Cloud": {"zeta.example.com": "${odd}", "anaconda.com": "${value({ domain: 'anaconda.com', api_key: OLD_KEY, repo_tokens: [] })}", ` +
      `"alpha.example.com": "${odd}"}, "Last": {}}`;
    const updated = renderKeyring(site('https://anaconda.com'), material(DOC_KEY), before);
    const outer = JSON.parse(updated) as Record<string, Record<string, string>>;
    expect(Object.keys(outer)).toEqual(['Other tool', KEYRING_SERVICE, 'Last']);
    expect(Object.keys(outer[KEYRING_SERVICE] ?? {})).toEqual(['zeta.example.com', 'anaconda.com', 'alpha.example.com']);
    expect(outer['Other tool']).toEqual({ x: odd });
    expect(outer[KEYRING_SERVICE]?.['zeta.example.com']).toBe(odd);
    expect(decode(outer[KEYRING_SERVICE]?.['anaconda.com'] ?? '')).toEqual({ domain: 'anaconda.com', api_key: DOC_KEY, repo_tokens: [], version: 2 });

    const added = renderKeyring(site('http://127.0.0.1:8443'), material(DOC_KEY), updated);
    expect(Object.keys((JSON.parse(added) as Record<string, Record<string, string>>)[KEYRING_SERVICE] ?? {})).toEqual(['zeta.example.com', 'anaconda.com', 'alpha.example.com', '127.0.0.1:8443']);
    // Only the new entry was added: everything before it is byte-identical.
    expect(added.startsWith(updated.slice(0, updated.indexOf('"alpha.example.com"')))).toBe(true);
  });

  it('adds the service last when the file has only others', () => {
    const text = renderKeyring(site('https://anaconda.com'), material(DOC_KEY), '{"Other tool": {"x": "eA=="}}');
    expect(text.startsWith('{"Other tool": {"x": "eA=="}, "Anaconda Cloud": {"anaconda.com": "')).toBe(true);
  });

  it('writes Python json.dump’s bytes: ", " and ": ", non-ASCII keys escaped as \\uXXXX', () => {
    const text = renderKeyring(site('https://anaconda.com'), material(DOC_KEY), file({ 'Zürich ✓': { 'ä.example.com': 'eA==' } }));
    expect(text.startsWith('{"Z\\u00fcrich \\u2713": {"\\u00e4.example.com": "eA=="}, "Anaconda Cloud": {"anaconda.com": "')).toBe(true);
    expect(text).not.toMatch(/[^\x20-\x7e]/);
  });

  it('the domain key is the site’s host[:port], as anaconda-auth’s domain_validator keeps it', () => {
    expect(keyringDomain(site('https://anaconda.com'))).toBe('anaconda.com');
    expect(keyringDomain(site('http://127.0.0.1:8443'))).toBe('127.0.0.1:8443');
    expect(keyringDomain(site('https://Anaconda.Example.com:9443'))).toBe('anaconda.example.com:9443');
    expect(keyringDomain(site('https://anaconda.com:443'))).toBe('anaconda.com');
  });

  it('refuses to overwrite a file that is not a keyring (anaconda-auth would silently discard it), quoting none of it', () => {
    for (const existing of [`{"Anaconda Cloud": {"anaconda.com": "${value({ api_key: OLD_KEY })}"`, `[1, 2, 3]`, 'api_key = "secret-in-a-toml-file"', file({ [KEYRING_SERVICE]: { 'anaconda.com': 7 } })]) {
      refusal(() => renderKeyring(site('https://anaconda.com'), material(DOC_KEY), existing), [DOC_KEY, OLD_KEY, 'secret-in-a-toml-file']);
    }
  });

  it('refuses to merge into an entry of its own domain that is not readable, but ignores unreadable entries of other domains', () => {
    refusal(() => renderKeyring(site('https://anaconda.com'), material(DOC_KEY), file({ [KEYRING_SERVICE]: { 'anaconda.com': 'not base64!' } })), [DOC_KEY]);
    const text = renderKeyring(site('https://anaconda.com'), material(DOC_KEY), file({ [KEYRING_SERVICE]: { 'other.example.com': 'not base64!' } }));
    expect((JSON.parse(text) as Record<string, Record<string, string>>)[KEYRING_SERVICE]?.['other.example.com']).toBe('not base64!');
  });
});

describe('removeFromKeyring', () => {
  it('removes only this site’s entry and keeps the service even when empty', () => {
    const after = removeFromKeyring(site('https://anaconda.com'), DOC_FILE);
    expect(after).toBe(DOC_FILE.replace(/"anaconda\.com": "[^"]*", /, ''));
    const empty = removeFromKeyring(site('http://127.0.0.1:8443'), after ?? '');
    expect(empty).toBe('{"Anaconda Cloud": {}}');
  });

  it('keeps other services and their order', () => {
    const before = `{"A": {"x": "eA=="}, "Anaconda Cloud": {"anaconda.com": "eA==", "b.example.com": "eQ=="}, "Z": {}}`;
    expect(removeFromKeyring(site('https://anaconda.com'), before)).toBe('{"A": {"x": "eA=="}, "Anaconda Cloud": {"b.example.com": "eQ=="}, "Z": {}}');
  });

  it('is null when there is nothing to remove (no service, no entry, an empty file)', () => {
    expect(removeFromKeyring(site('https://anaconda.com'), '')).toBeNull();
    expect(removeFromKeyring(site('https://anaconda.com'), '{}')).toBeNull();
    expect(removeFromKeyring(site('https://anaconda.com'), '{"Other": {"anaconda.com": "eA=="}}')).toBeNull();
    expect(removeFromKeyring(site('https://anaconda.com'), DOC_FILE.replace('"anaconda.com"', '"Anaconda.com"'))).toBeNull();
    expect(removeFromKeyring(site('http://127.0.0.1:8444'), DOC_FILE)).toBeNull();
  });

  it('refuses a file that is not a keyring', () => {
    refusal(() => removeFromKeyring(site('https://anaconda.com'), `{"Anaconda Cloud": ${DOC_KEY}`), [DOC_KEY]);
  });
});

describe('keyringPath', () => {
  it('ANACONDA_AUTH_KEYRING_PATH wins; else ~/.anaconda/keyring under the home folder', () => {
    expect(keyringPath({}, '/home/alice')).toBe('/home/alice/.anaconda/keyring');
    expect(keyringPath({}, '/home/alice/')).toBe('/home/alice/.anaconda/keyring');
    expect(keyringPath({ ANACONDA_AUTH_KEYRING_PATH: '/secrets/keyring' }, '/home/alice')).toBe('/secrets/keyring');
    expect(keyringPath({ ANACONDA_AUTH_KEYRING_PATH: '' }, '/home/alice')).toBe('/home/alice/.anaconda/keyring');
    // Other variables of the anaconda tools do not move the file.
    expect(keyringPath({ ANACONDA_CONFIG_TOML: '/x/config.toml', HOME: '/elsewhere' }, '/home/alice')).toBe('/home/alice/.anaconda/keyring');
  });

  it('expands $VAR, ${VAR} and ~ as anaconda-auth does; unknown variables stay; a relative path is under the home folder', () => {
    const env = { XDG_DATA_HOME: '/data/alice', TEAM: 'acme' };
    expect(keyringPath({ ...env, ANACONDA_AUTH_KEYRING_PATH: '$XDG_DATA_HOME/anaconda/keyring' }, '/home/alice')).toBe('/data/alice/anaconda/keyring');
    expect(keyringPath({ ...env, ANACONDA_AUTH_KEYRING_PATH: '/srv/${TEAM}/keyring' }, '/home/alice')).toBe('/srv/acme/keyring');
    expect(keyringPath({ ANACONDA_AUTH_KEYRING_PATH: '~/secrets/keyring' }, '/home/alice/')).toBe('/home/alice/secrets/keyring');
    expect(keyringPath({ ANACONDA_AUTH_KEYRING_PATH: '~' }, '/home/alice')).toBe('/home/alice');
    expect(keyringPath({ ANACONDA_AUTH_KEYRING_PATH: '/x/$NOPE/keyring' }, '/home/alice')).toBe('/x/$NOPE/keyring');
    expect(keyringPath({ ANACONDA_AUTH_KEYRING_PATH: 'keyrings/anaconda' }, '/home/alice')).toBe('/home/alice/keyrings/anaconda');
    expect(keyringPath({ ANACONDA_AUTH_KEYRING_PATH: '~bob/keyring' }, '/home/alice')).toBe('/home/alice/~bob/keyring');
  });
});
