import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEdsServer } from '../../../../test/servers/eds/edsServer';
import { START, useCoreHarness, type Harness } from '../../../../test/support/coreHarness';
import { readVaultContents } from '../vault/vaultFile';

const { cleanups, harness } = useCoreHarness();

// ---------------------------------------------------------------------------------------------

const PASSWORD = 'wonderland-secret'; // the reference server's password for alice

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'keyport-ca-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const input = (h: Harness, overrides: Record<string, unknown> = {}) => ({ name: 'Test EDS', kind: 'eds', url: h.eds.url, ...overrides });

describe('servers.add', () => {
  it('adds a server and lists it, signed out', async () => {
    const h = await harness();
    const view = await h.call('servers.add', input(h));
    expect(view).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Test EDS',
      kind: 'eds',
      url: h.eds.url,
      allowInsecureTls: false,
      caCertificatePath: null,
      options: {},
      createdAt: new Date(START).toISOString(),
      session: { state: 'signed-out' },
    });
    expect(await h.call('servers.list')).toEqual([view]);
    expect(h.store.get('servers')).toEqual([{ id: view.id, name: 'Test EDS', kind: 'eds', url: h.eds.url, allowInsecureTls: false, caCertificatePath: null, options: {}, createdAt: view.createdAt }]);
  });

  it.each([
    ['https://eds.example.com/', 'https://eds.example.com'],
    ['https://eds.example.com/eds//', 'https://eds.example.com/eds'],
    ['  HTTPS://EDS.Example.COM:443/x/  ', 'https://eds.example.com/x'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('normalizes %j to %j', async (url, expected) => {
    const h = await harness();
    expect((await h.call('servers.add', input(h, { url }))).url).toBe(expected);
  });

  it.each([
    ['a URL longer than 2 KB', () => `https://eds.example.com/${'a'.repeat(2100)}`, 'Use at most 2048 characters.'],
    ['credentials in the URL', () => 'https://alice:fake-secret-pw@eds.example.com', 'Do not put a user name or password in the URL: sign in after adding the server.'],
    ['a user name in the URL', () => 'https://alice@eds.example.com', 'Do not put a user name or password in the URL: sign in after adding the server.'],
    ['another scheme', () => 'ftp://eds.example.com', 'Only http and https URLs are allowed, not ftp.'],
    ['a query', () => 'https://eds.example.com/?token=fake-secret-q', 'Remove the query (?…) or fragment (#…) from the URL.'],
    ['a fragment', () => 'https://eds.example.com/#x', 'Remove the query (?…) or fragment (#…) from the URL.'],
    ['spaces', () => 'https://eds example.com', 'A URL cannot contain spaces.'],
    ['no scheme', () => 'eds.example.com', 'Enter a full URL, such as https://packages.example.com.'],
    ['nothing', () => '   ', 'Enter the server URL.'],
  ])('refuses %s, on the url field', async (_what, url, message) => {
    const h = await harness();
    const error = await h.fail('servers.add', input(h, { url: url() }));
    expect(error).toEqual({ code: 'VALIDATION', message, field: 'url' });
    expect(JSON.stringify(error)).not.toContain('fake-secret');
    expect(await h.call('servers.list')).toEqual([]);
  });

  it('accepts a URL of exactly 2048 characters', async () => {
    const h = await harness();
    const url = `https://eds.example.com/${'a'.repeat(2048 - 'https://eds.example.com/'.length)}`;
    expect(url).toHaveLength(2048);
    expect((await h.call('servers.add', input(h, { url }))).url).toBe(url);
  });

  it('refuses an unknown kind with UNSUPPORTED on the kind field', async () => {
    const h = await harness();
    const error = await h.fail('servers.add', input(h, { kind: 'gitlab' }));
    expect(error).toMatchObject({ code: 'UNSUPPORTED', field: 'kind', hint: 'Choose one of: eds, tapis, anaconda, oidc, npm, tapis3, jupyterhub.' });
    expect(await h.call('servers.list')).toEqual([]);
  });

  it('refuses a duplicate name, whatever its case and spacing, with CONFLICT on the name field', async () => {
    const h = await harness();
    await h.call('servers.add', input(h, { name: 'Production' }));
    for (const name of ['Production', 'PRODUCTION', '  production  ']) {
      const error = await h.fail('servers.add', input(h, { name, url: 'https://other.example.com' }));
      expect(error).toMatchObject({ code: 'CONFLICT', field: 'name' });
    }
    expect(await h.call('servers.list')).toHaveLength(1);
    await h.call('servers.add', input(h, { name: 'Production 2' }));
    expect(await h.call('servers.list')).toHaveLength(2);
  });

  it('50 simultaneous adds of one name (in any case) create one server: the name check is part of the write', async () => {
    const h = await harness();
    const names = Array.from({ length: 50 }, (_, i) => ['Shared EDS', 'shared eds', 'SHARED EDS'][i % 3]);
    const results = await Promise.all(names.map((name) => h.core.handle('servers.add', input(h, { name }))));
    const added = results.filter((r) => r.ok);
    expect(added).toHaveLength(1);
    for (const result of results.filter((r) => !r.ok)) {
      expect(result).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'name', message: expect.stringMatching(/^A server named “shared eds” is already in Keyport\.$/i) } });
    }
    expect(await h.call('servers.list')).toHaveLength(1);
    expect((readVaultContents(h.store.path) as { servers: unknown[] }).servers).toHaveLength(1);
  });

  it('50 simultaneous adds of different names all land, in memory and in the file', async () => {
    const h = await harness();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => h.core.handle('servers.add', input(h, { name: `EDS ${i}` }))));
    expect(results.every((r) => r.ok)).toBe(true);
    const names = (readVaultContents(h.store.path) as { servers: Array<{ name: string }> }).servers.map((s) => s.name);
    expect(names.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `EDS ${i}`).sort());
  });

  it('refuses bad names on the name field', async () => {
    const h = await harness();
    expect(await h.fail('servers.add', input(h, { name: '' }))).toMatchObject({ code: 'VALIDATION', field: 'name' });
    expect(await h.fail('servers.add', input(h, { name: 'x'.repeat(101) }))).toMatchObject({ code: 'VALIDATION', field: 'name' });
    expect(await h.fail('servers.add', input(h, { name: 'a\u0007b' }))).toMatchObject({ code: 'VALIDATION', field: 'name' });
  });
});

describe('CA certificate files', () => {
  it('refuses a missing file', async () => {
    const h = await harness();
    const error = await h.fail('servers.add', input(h, { caCertificatePath: join(tmpdir(), 'keyport-no-such-dir', 'ca.pem') }));
    expect(error).toMatchObject({ code: 'FILE_ERROR', field: 'caCertificatePath', message: 'The CA certificate file does not exist.' });
    expect(error.hint).toMatch(/PEM file/);
  });

  it('refuses a folder', async () => {
    const h = await harness();
    const error = await h.fail('servers.add', input(h, { caCertificatePath: tmpdir() }));
    expect(error).toMatchObject({ code: 'FILE_ERROR', field: 'caCertificatePath', message: 'The CA certificate path is not a file.' });
  });

  it('refuses a file that is not a certificate', async () => {
    const h = await harness();
    const path = tempFile('notes.txt', 'just some notes\n');
    expect(await h.fail('servers.add', input(h, { caCertificatePath: path }))).toMatchObject({
      code: 'FILE_ERROR',
      field: 'caCertificatePath',
      message: 'The CA certificate file holds no PEM certificate.',
    });
  });

  it('refuses a PEM block that does not parse', async () => {
    const h = await harness();
    const path = tempFile('bad.pem', '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    expect(await h.fail('servers.add', input(h, { caCertificatePath: path }))).toMatchObject({
      code: 'FILE_ERROR',
      message: 'The CA certificate file holds a certificate that cannot be read.',
    });
  });

  it('refuses a file over 1 MB', async () => {
    const h = await harness();
    const path = tempFile('huge.pem', 'x'.repeat(1024 * 1024 + 1));
    expect(await h.fail('servers.add', input(h, { caCertificatePath: path }))).toMatchObject({ code: 'FILE_ERROR', message: expect.stringMatching(/larger than 1 MB/) });
  });

  it('accepts the server’s certificate, and then HTTPS works with it', async () => {
    const eds = await startEdsServer({ https: true });
    cleanups.push(() => eds.close());
    const h = await harness({ eds });
    const caPem = eds.caPem ?? '';
    expect(caPem).toContain('BEGIN CERTIFICATE');
    const path = tempFile('ca.pem', caPem);

    // Without it the TLS check fails, with the hint to add the CA.
    const plain = await h.call('servers.add', input(h, { name: 'No CA' }));
    const tlsError = await h.fail('auth.signInWithPassword', { serverId: plain.id, username: 'alice', password: PASSWORD });
    expect(tlsError.code).toBe('TLS_FAILURE');

    const view = await h.call('servers.add', input(h, { caCertificatePath: `  ${path}  ` }));
    expect(view.caCertificatePath).toBe(path);
    const signedIn = await h.call('auth.signInWithPassword', { serverId: view.id, username: 'alice', password: PASSWORD });
    expect(signedIn.session).toMatchObject({ state: 'signed-in', user: { name: 'alice' } });
  });

  it('an empty path means no CA file', async () => {
    const h = await harness();
    expect((await h.call('servers.add', input(h, { caCertificatePath: '' }))).caCertificatePath).toBeNull();
  });
});

describe('servers.update', () => {
  async function signedIn(h: Harness): Promise<string> {
    const view = await h.call('servers.add', input(h));
    await h.call('auth.signInWithPassword', { serverId: view.id, username: 'alice', password: PASSWORD });
    return view.id;
  }

  it('changing the URL signs out and forgets the session', async () => {
    const h = await harness();
    const id = await signedIn(h);
    const other = await startEdsServer();
    cleanups.push(() => other.close());
    const view = await h.call('servers.update', { id, changes: input(h, { url: `${other.url}/` }) });
    expect(view.url).toBe(other.url);
    expect(view.session).toEqual({ state: 'signed-out' });
    expect(h.store.get('secrets')).toEqual({});
    // The old server's session never goes to the new URL.
    expect((await h.fail('tokens.list', { serverId: id })).code).toBe('NOT_SIGNED_IN');
    expect(other.requestLog).toEqual([]);
  });

  it('changing the name or TLS settings, or only the trailing slash, keeps the sign-in', async () => {
    const h = await harness();
    const id = await signedIn(h);
    const view = await h.call('servers.update', { id, changes: input(h, { name: 'Renamed', url: `${h.eds.url}/`, allowInsecureTls: true }) });
    expect(view).toMatchObject({ id, name: 'Renamed', url: h.eds.url, allowInsecureTls: true, session: { state: 'signed-in' } });
    expect(await h.call('tokens.list', { serverId: id })).toEqual([]);
  });

  it('may keep its own name in another case, but not take another server’s', async () => {
    const h = await harness();
    const a = await h.call('servers.add', input(h, { name: 'Alpha' }));
    await h.call('servers.add', input(h, { name: 'Beta' }));
    expect((await h.call('servers.update', { id: a.id, changes: input(h, { name: 'ALPHA' }) })).name).toBe('ALPHA');
    expect(await h.fail('servers.update', { id: a.id, changes: input(h, { name: 'beta' }) })).toMatchObject({ code: 'CONFLICT', field: 'name' });
  });

  it('an unknown id is NOT_FOUND', async () => {
    const h = await harness();
    expect((await h.fail('servers.update', { id: 'nope', changes: input(h) })).code).toBe('NOT_FOUND');
  });
});

describe('servers.remove', () => {
  it('removes the server with its session, credential and saved tokens', async () => {
    const h = await harness();
    const keep = await h.call('servers.add', input(h, { name: 'Keep' }));
    const view = await h.call('servers.add', input(h));
    const token = h.eds.createApiToken('alice', 'laptop');
    await h.call('auth.signInWithToken', { serverId: view.id, token });
    await h.call('auth.signInWithToken', { serverId: keep.id, token });
    const created = await h.call('tokens.create', { serverId: view.id, name: 'ci', save: true });
    expect(Object.keys(h.store.get('secrets') as object)).toHaveLength(5);

    await h.call('servers.remove', { id: view.id });
    expect((await h.call('servers.list')).map((s) => s.id)).toEqual([keep.id]);
    expect(await h.call('secrets.list')).toEqual([]);
    const left = Object.values(h.store.get('secrets') as Record<string, { meta: { serverId: string } }>);
    expect(left.map((s) => s.meta.serverId)).toEqual([keep.id, keep.id]);
    expect((await h.fail('clipboard.copy', { secretId: created.secretId, format: 'raw' })).code).toBe('NOT_FOUND');
    expect((await h.fail('servers.remove', { id: view.id })).code).toBe('NOT_FOUND');
    // The other server is still signed in.
    expect(await h.call('tokens.list', { serverId: keep.id })).toHaveLength(2);
  });
});
