import { describe, expect, it } from 'vitest';
import { expectKeyportError } from '../../../../../test/support/providerTesting';
import type { ServerRecord } from '../../vault/records';
import type { SessionMaterial } from '../provider';
import { agaveCurrentPath, agaveExpiresAt, parseAgaveCurrent, pythonJsonDumps, renderAgaveCurrent } from './agaveCurrent';
import { decodeCredential, encodeCredential } from './tapisCredential';

/** The example of docs/protocols/tapis.md ("Layout written by Agave.save_configs"), TZ=UTC. */
const DOC = {
  accessToken: '4522fa54c0f0c8b298d26f6662fbbb2e',
  key: 'u7a7GlEQPyuk8k7j2M5C7brcxL4y',
  secret: 'jzXI_8n80cdVMpyd9Oa5bvx7y-2k',
  refreshToken: '3f426791e55d977a6bd4ddffa50408a2',
  createdAt: 1795433695,
  expiresIn: 14400,
};
const DOC_BYTES =
  '{"access_token": "4522fa54c0f0c8b298d26f6662fbbb2e", "apikey": "u7a7GlEQPyuk8k7j2M5C7brcxL4y", "apisecret": "jzXI_8n80cdVMpyd9Oa5bvx7y-2k", "baseurl": "https://api.tacc.utexas.edu", "created_at": "1795433695", "devurl": "", "expires_at": "Mon Nov 23 15:34:55 UTC 2026", "expires_in": 14400, "refresh_token": "3f426791e55d977a6bd4ddffa50408a2", "tenantid": "tacc.prod", "username": "alice"}';
const SECRETS = [DOC.accessToken, DOC.key, DOC.secret, DOC.refreshToken];

const server: ServerRecord = {
  id: 'srv',
  name: 'TACC',
  kind: 'tapis',
  url: 'https://api.tacc.utexas.edu',
  allowInsecureTls: false,
  caCertificatePath: null,
  options: { tenantId: 'tacc.prod' },
  createdAt: '2026-01-01T00:00:00.000Z',
};

const material: SessionMaterial = {
  session: DOC.accessToken,
  credential: encodeCredential({ clientName: 'laptop', key: DOC.key, secret: DOC.secret, refreshToken: DOC.refreshToken, issuedAt: DOC.createdAt, expiresIn: DOC.expiresIn }),
  expiresAt: new Date((DOC.createdAt + DOC.expiresIn) * 1000).toISOString(),
  user: { name: 'alice', email: 'alice@example.com' },
  attributes: {},
};

/** The save_configs layout (what Keyport exports), as an object to vary. */
const saveConfigs = (): Record<string, unknown> => JSON.parse(DOC_BYTES) as Record<string, unknown>;

/** The layout agavepy's _write_client rewrites `current` with (json.dumps(Agave.to_dict())). */
const toDict = (): Record<string, unknown> => ({
  refresh_token: DOC.refreshToken,
  expires_in: DOC.expiresIn,
  expires_at: 'Mon Nov 23 15:34:55 2026',
  created_at: DOC.createdAt + 0.25,
  username: 'alice',
  token_username: null,
  client_name: 'cli-client',
  use_nonce: false,
  verify: true,
  proxies: { https: 'http://proxy.example:3128' },
  tenantid: 'tacc.prod',
  apisecret: DOC.secret,
  apikey: DOC.key,
  baseurl: 'https://api.tacc.utexas.edu/',
  access_token: DOC.accessToken,
});

const noSibling = async () => null;

/** The error for a file that is refused; fails when it names a secret from the file. */
const parseError = (text: string) => expectKeyportError(parseAgaveCurrent(text, noSibling), SECRETS);

describe('pythonJsonDumps (json.dumps with ensure_ascii and default separators)', () => {
  it('escapes everything outside printable ASCII as lowercase \\uXXXX, astral characters as surrogate pairs', () => {
    expect(pythonJsonDumps('Zürich', false)).toBe('"Z\\u00fcrich"');
    expect(pythonJsonDumps('\u00ff\u0100\uabcd', false)).toBe('"\\u00ff\\u0100\\uabcd"');
    expect(pythonJsonDumps('🔑', false)).toBe('"\\ud83d\\udd11"');
    expect(pythonJsonDumps('\u2028\u007f', false)).toBe('"\\u2028\\u007f"');
    expect(pythonJsonDumps('a\nb\t"c"\\\u0001', false)).toBe('"a\\nb\\t\\"c\\"\\\\\\u0001"');
  });

  it('leaves / unescaped', () => {
    expect(pythonJsonDumps('https://api.example/x', false)).toBe('"https://api.example/x"');
  });

  it('separates with ", " and ": ", sorts keys only when asked, and writes scalars as Python does', () => {
    const value = { b: 1, a: [true, null, 'x'], C: { z: false, y: 2.5 } };
    expect(pythonJsonDumps(value, true)).toBe('{"C": {"y": 2.5, "z": false}, "a": [true, null, "x"], "b": 1}');
    expect(pythonJsonDumps(value, false)).toBe('{"b": 1, "a": [true, null, "x"], "C": {"z": false, "y": 2.5}}');
    expect(pythonJsonDumps([], true)).toBe('[]');
    expect(pythonJsonDumps({}, true)).toBe('{}');
  });

  it('sorts keys by code unit, as Python sorts str', () => {
    expect(pythonJsonDumps({ b: 0, B: 0, a: 0, _: 0, é: 0 }, true)).toBe('{"B": 0, "_": 0, "a": 0, "b": 0, "\\u00e9": 0}');
  });
});

describe('agaveExpiresAt', () => {
  it('is "%a %b %-d %H:%M:%S UTC %Y": day not padded, time padded', () => {
    expect(agaveExpiresAt(Date.UTC(2026, 10, 3, 15, 34, 55) / 1000)).toBe('Tue Nov 3 15:34:55 UTC 2026');
    expect(agaveExpiresAt(Date.UTC(2026, 0, 5, 4, 3, 2) / 1000)).toBe('Mon Jan 5 04:03:02 UTC 2026');
    expect(agaveExpiresAt(DOC.createdAt + DOC.expiresIn)).toBe('Mon Nov 23 15:34:55 UTC 2026');
  });
});

describe('renderAgaveCurrent', () => {
  it('writes the documented bytes: 11 sorted keys, created_at a string, expires_in a number, devurl "", no newline', () => {
    const text = renderAgaveCurrent(server, material);
    expect(text).toBe(DOC_BYTES);
    expect(text.endsWith('\n')).toBe(false);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'access_token',
      'apikey',
      'apisecret',
      'baseurl',
      'created_at',
      'devurl',
      'expires_at',
      'expires_in',
      'refresh_token',
      'tenantid',
      'username',
    ]);
  });

  it('writes an empty tenantid when the server has none, and escapes a non-ASCII user name', () => {
    const text = renderAgaveCurrent({ ...server, options: {} }, { ...material, user: { name: 'zoë' } });
    expect(text).toContain('"tenantid": "", "username": "zo\\u00eb"}');
  });

  it('reads back to the same session', async () => {
    const imported = await parseAgaveCurrent(renderAgaveCurrent(server, material), noSibling);
    expect(imported.session).toBe(material.session);
    expect(imported.expiresAt).toBe(material.expiresAt);
    expect(decodeCredential(imported.credential)).toEqual({ ...decodeCredential(material.credential), clientName: null });
  });
});

describe('agaveCurrentPath', () => {
  it('TAPIS_CACHE_DIR wins over AGAVE_CACHE_DIR, which wins over ~/.agave', () => {
    const home = '/home/alice';
    expect(agaveCurrentPath({}, home)).toBe('/home/alice/.agave/current');
    expect(agaveCurrentPath({}, '/home/alice/')).toBe('/home/alice/.agave/current');
    expect(agaveCurrentPath({ AGAVE_CACHE_DIR: '/cache/agave' }, home)).toBe('/cache/agave/current');
    expect(agaveCurrentPath({ AGAVE_CACHE_DIR: '/cache/agave/' }, home)).toBe('/cache/agave/current');
    expect(agaveCurrentPath({ TAPIS_CACHE_DIR: '/cache/tapis', AGAVE_CACHE_DIR: '/cache/agave' }, home)).toBe('/cache/tapis/current');
    // Set but empty counts as not set.
    expect(agaveCurrentPath({ TAPIS_CACHE_DIR: '', AGAVE_CACHE_DIR: '' }, home)).toBe('/home/alice/.agave/current');
  });
});

describe('parseAgaveCurrent', () => {
  it('reads the save_configs layout', async () => {
    const imported = await parseAgaveCurrent(DOC_BYTES, noSibling);
    expect(imported.server).toEqual({ url: 'https://api.tacc.utexas.edu', options: { tenantId: 'tacc.prod' }, suggestedName: 'Tapis tacc.prod', caCertificatePath: null });
    expect(imported.session).toBe(DOC.accessToken);
    expect(imported.expiresAt).toBe(new Date((DOC.createdAt + DOC.expiresIn) * 1000).toISOString());
    expect(imported.user).toEqual({ name: 'alice' });
    expect(decodeCredential(imported.credential)).toEqual({
      clientName: null,
      key: DOC.key,
      secret: DOC.secret,
      refreshToken: DOC.refreshToken,
      issuedAt: DOC.createdAt,
      expiresIn: DOC.expiresIn,
    });
    // No client name anywhere: nothing to depend on until the clients list tells.
    expect(imported.attributes).toEqual({ clientKey: DOC.key });
    expect(imported.dependsOnTokenId).toBeUndefined();
  });

  it('reads the to_dict layout: numeric created_at, client_name, verify, proxies, no devurl', async () => {
    const imported = await parseAgaveCurrent(JSON.stringify(toDict()), noSibling);
    expect(imported.server.url).toBe('https://api.tacc.utexas.edu');
    expect(imported.server.caCertificatePath).toBeNull();
    expect(decodeCredential(imported.credential)).toMatchObject({ clientName: 'cli-client', issuedAt: DOC.createdAt, expiresIn: DOC.expiresIn });
    expect(imported.expiresAt).toBe(new Date((DOC.createdAt + DOC.expiresIn) * 1000).toISOString());
    expect(imported.attributes).toEqual({ clientName: 'cli-client', clientKey: DOC.key });
    expect(imported.dependsOnTokenId).toBe('cli-client');
  });

  it('takes a CA file from verify, a numeric-string expires_in, and no tenant', async () => {
    const { tenantid: _unused, ...rest } = toDict();
    const imported = await parseAgaveCurrent(JSON.stringify({ ...rest, verify: '/etc/ssl/tacc.pem', expires_in: '3600' }), noSibling);
    expect(imported.server).toEqual({ url: 'https://api.tacc.utexas.edu', options: {}, suggestedName: 'Tapis api.tacc.utexas.edu', caCertificatePath: '/etc/ssl/tacc.pem' });
    expect(decodeCredential(imported.credential).expiresIn).toBe(3600);
  });

  it('treats a token without created_at or expires_in as expired, so the first use refreshes it', async () => {
    const { created_at: _unused, ...rest } = saveConfigs();
    const imported = await parseAgaveCurrent(JSON.stringify(rest), noSibling);
    expect(imported.expiresAt).toBe(new Date(0).toISOString());
  });

  it('uses the first session of the list form', async () => {
    const other = { ...toDict(), client_name: 'second', apikey: 'other-key' };
    const imported = await parseAgaveCurrent(JSON.stringify([saveConfigs(), other]), noSibling);
    expect(imported.attributes?.clientKey).toBe(DOC.key);
  });

  it('takes the client name from config.json beside it, matched by apikey', async () => {
    const config = {
      current: { 'other-client': { apikey: 'not-this-key' }, 'laptop-client': { ...saveConfigs() } },
      sessions: {},
    };
    const asked: string[] = [];
    const imported = await parseAgaveCurrent(DOC_BYTES, async (name) => {
      asked.push(name);
      return JSON.stringify(config, null, 4);
    });
    expect(asked).toEqual(['config.json']);
    expect(imported.dependsOnTokenId).toBe('laptop-client');
    expect(decodeCredential(imported.credential).clientName).toBe('laptop-client');
    // A config.json without a matching key, or one that is not JSON, leaves the name unknown.
    const unmatched = await parseAgaveCurrent(DOC_BYTES, async () => JSON.stringify({ current: { x: { apikey: 'nope' } } }));
    expect(unmatched.dependsOnTokenId).toBeUndefined();
    const broken = await parseAgaveCurrent(DOC_BYTES, async () => '{ not json');
    expect(broken.dependsOnTokenId).toBeUndefined();
  });

  const without = (key: string) => {
    const value = saveConfigs();
    delete value[key];
    return JSON.stringify(value);
  };

  it.each([
    ['not JSON', `${DOC_BYTES.slice(0, -1)},`, /not valid JSON/],
    ['a JSON string', JSON.stringify(DOC.secret), /does not hold a JSON object/],
    ['null', 'null', /does not hold a JSON object/],
    ['an empty list', '[]', /does not hold a JSON object/],
    ['no baseurl', without('baseurl'), /baseurl is missing/],
    ['no apikey', without('apikey'), /apikey is missing/],
    ['no apisecret', without('apisecret'), /apisecret is missing/],
    ['no refresh_token', without('refresh_token'), /refresh_token is missing/],
    ['an empty refresh_token', JSON.stringify({ ...saveConfigs(), refresh_token: '' }), /refresh_token is missing/],
    ['a numeric apisecret', JSON.stringify({ ...saveConfigs(), apisecret: 12345 }), /apisecret is missing/],
    ['an ftp baseurl', JSON.stringify({ ...saveConfigs(), baseurl: 'ftp://api.tacc.utexas.edu' }), /baseurl is not a usable server address/],
    ['a baseurl with credentials', JSON.stringify({ ...saveConfigs(), baseurl: `https://alice:${DOC.secret}@api.tacc.utexas.edu` }), /baseurl is not a usable server address/],
    ['a baseurl that is no URL', JSON.stringify({ ...saveConfigs(), baseurl: DOC.refreshToken }), /baseurl is not a usable server address/],
  ])('refuses %s with FILE_ERROR on the path field, naming no secret', async (_case, text, message) => {
    const error = await parseError(text);
    expect(error.code).toBe('FILE_ERROR');
    expect(error.field).toBe('path');
    expect(error.message).toMatch(message);
  });

  it('names every missing key at once', async () => {
    const { apikey: _a, apisecret: _b, ...rest } = saveConfigs();
    expect((await parseError(JSON.stringify(rest))).message).toMatch(/apikey, apisecret are missing or not valid/);
  });
});
