import fs, { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pythonJsonDumps, renderAgaveCurrent } from '../providers/tapis/agaveCurrent';
import { encodeCredential } from '../providers/tapis/tapisCredential';
import { START } from '../../../../test/support/coreHarness';
import { watchFsyncs } from '../../../../test/support/fsyncWatch';
import { ALICE_PASSWORD, useTapisHarness, type TapisHarness } from '../../../../test/support/tapisHarness';

/** ~/.agave/current import and export through the real core, with a temporary home folder. */

afterEach(() => {
  vi.restoreAllMocks();
});

const { tapisHarness } = useTapisHarness();

/** A `current` as agavepy's save_configs writes it, for a client and tokens seeded on the
 * server, issued "now" on Keyport's clock (so the access token is fresh). */
function agavepyCurrent(t: TapisHarness, overrides: Record<string, unknown> = {}): { text: string; clientKey: string; accessToken: string } {
  const { consumerKey, consumerSecret } = t.tapis.createClient('alice', 'cli-client');
  const tokens = t.tapis.issueTokens('alice', 'cli-client');
  const fields = {
    access_token: tokens.accessToken,
    apikey: consumerKey,
    apisecret: consumerSecret,
    baseurl: t.tapis.url,
    created_at: String(START / 1000),
    devurl: '',
    expires_at: 'Wed Jan 1 16:00:00 UTC 2025',
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    tenantid: t.tapis.tenantId,
    username: 'alice',
    ...overrides,
  };
  return { text: pythonJsonDumps(fields, true), clientKey: consumerKey, accessToken: tokens.accessToken };
}

function writeFile(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o644 });
  return path;
}

/** Every file under `dir` with its content, to show that nothing changed. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile()) out[path] = readFileSync(path, 'utf8');
  }
  return out;
}

const mode = (path: string) => statSync(path).mode & 0o777;

async function signedIn(env?: Record<string, string>): Promise<TapisHarness & { serverId: string; current: string }> {
  const t = await tapisHarness({ env });
  const serverId = await t.addServer();
  await t.signIn(serverId);
  return { ...t, serverId, current: join(t.home, '.agave', 'current') };
}

describe('exporting a Tapis session to ~/.agave/current', () => {
  it('writes the save_configs layout, byte for byte, mode 0600', async () => {
    const t = await signedIn();
    const result = await t.h.call('sessionFiles.export', { serverId: t.serverId });
    expect(result).toEqual({ state: 'written', path: t.current, backupPath: null, warnings: expect.arrayContaining([expect.stringMatching(/https/)]) });
    expect(mode(t.current)).toBe(0o600);
    expect(mode(dirname(t.current))).toBe(0o700);
    const text = readFileSync(t.current, 'utf8');

    // The values are the live session's.
    const file = JSON.parse(text) as Record<string, string | number>;
    const clientName = t.tapis.clientNames('alice')[0] ?? '';
    expect(file).toMatchObject({ apikey: t.tapis.getClient('alice', clientName)?.consumerKey, baseurl: t.tapis.url, tenantid: t.tapis.tenantId, username: 'alice', created_at: String(START / 1000), expires_in: 14400 });
    expect(t.tapis.isAccessTokenValid(String(file.access_token))).toBe(true);
    expect(t.tapis.isRefreshTokenValid(String(file.refresh_token))).toBe(true);

    // The bytes are renderAgaveCurrent's for that session, and what the session copy gives.
    const server = (await t.h.call('servers.list'))[0];
    if (!server) throw new Error('no server');
    const material = {
      session: String(file.access_token),
      credential: encodeCredential({ clientName, key: String(file.apikey), secret: String(file.apisecret), refreshToken: String(file.refresh_token), issuedAt: START / 1000, expiresIn: 14400 }),
      expiresAt: null,
      user: { name: 'alice' },
      attributes: {},
    };
    expect(text).toBe(renderAgaveCurrent(server, material));
    await t.h.call('clipboard.copySession', { serverId: t.serverId, format: 'agave-current' });
    expect(t.h.clipboard.text).toBe(text);
  });

  it('an existing file is not replaced without overwrite: {state: "exists"}, the file untouched, nothing asked of the server', async () => {
    const t = await signedIn();
    writeFile(t.current, 'agavepy’s own session');
    const before = { ...tree(t.home), mtime: statSync(t.current).mtimeMs };
    const requests = t.tapis.requestLog.length;
    expect(await t.h.call('sessionFiles.export', { serverId: t.serverId })).toEqual({ state: 'exists', path: t.current });
    expect({ ...tree(t.home), mtime: statSync(t.current).mtimeMs }).toEqual(before);
    expect(t.tapis.requestLog).toHaveLength(requests);
  });

  it('with overwrite, backs the old file up beside it first', async () => {
    const t = await signedIn();
    writeFile(t.current, '{"old": "session"}');
    const result = await t.h.call('sessionFiles.export', { serverId: t.serverId, overwrite: true });
    if (result.state !== 'written') throw new Error('not written');
    expect(result.backupPath).toBe(`${t.current}.keyport-backup-${new Date(START).toISOString().replace(/[:.]/g, '-')}`);
    expect(readFileSync(result.backupPath ?? '', 'utf8')).toBe('{"old": "session"}');
    expect(readFileSync(t.current, 'utf8')).toMatch(/^\{"access_token": /);
    expect(mode(t.current)).toBe(0o600);
    // No temporary file is left behind; config.json (agavepy's load_configs) is written beside it.
    expect(readdirSync(dirname(t.current)).sort()).toEqual(['config.json', 'current', `current.keyport-backup-${new Date(START).toISOString().replace(/[:.]/g, '-')}`]);
    expect(mode(join(dirname(t.current), 'config.json'))).toBe(0o600);
  });

  it('a config.json beside it is backed up before it is updated; one other users can write stops the export with nothing changed', async () => {
    const t = await signedIn();
    const config = join(dirname(t.current), 'config.json');
    writeFile(config, '{"current": {}}');
    const result = await t.h.call('sessionFiles.export', { serverId: t.serverId, overwrite: true });
    if (result.state !== 'written') throw new Error('not written');
    expect(readFileSync(`${config}.keyport-backup-${new Date(START).toISOString().replace(/[:.]/g, '-')}`, 'utf8')).toBe('{"current": {}}');
    expect(JSON.parse(readFileSync(config, 'utf8'))).toHaveProperty('current');

    const before = readFileSync(t.current, 'utf8');
    chmodSync(config, 0o666);
    const error = await t.h.fail('sessionFiles.export', { serverId: t.serverId, overwrite: true });
    expect(error).toMatchObject({ code: 'FILE_ERROR', field: 'path', message: expect.stringContaining('config.json') });
    expect(readFileSync(t.current, 'utf8')).toBe(before);
  });

  it('writes durably: each new file (current, then its companion config.json) is fsync\'d before it replaces the old one, and its folder after', async () => {
    const t = await signedIn();
    const synced = watchFsyncs();
    await t.h.call('sessionFiles.export', { serverId: t.serverId });
    vi.restoreAllMocks();
    expect(synced).toEqual([expect.stringMatching(/\/\.agave\/current\.\d+$/), dirname(t.current), expect.stringMatching(/\/\.agave\/config\.json\.\d+$/), dirname(t.current)]);
  });

  it('a write the disk interrupts leaves the old file as it was: FILE_ERROR naming the path, no temporary file', async () => {
    const t = await signedIn();
    writeFile(t.current, '{"old": "session"}');
    vi.spyOn(fs, 'fsync').mockImplementation(((_fd: number, callback: (error: Error | null) => void) => {
      callback(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    }) as typeof fs.fsync);
    const error = await t.h.fail('sessionFiles.export', { serverId: t.serverId, overwrite: true });
    vi.restoreAllMocks();
    expect(error).toMatchObject({ code: 'FILE_ERROR', message: `Keyport could not write ${t.current}.`, hint: expect.stringMatching(/^EIO/) });
    expect(readFileSync(t.current, 'utf8')).toBe('{"old": "session"}');
    expect(readdirSync(dirname(t.current)).filter((f) => !f.includes('keyport-backup'))).toEqual(['current']);
  });

  it('writes to a path the person chose, with ~ for the home folder', async () => {
    const t = await signedIn();
    const result = await t.h.call('sessionFiles.export', { serverId: t.serverId, path: '~/elsewhere/current' });
    expect(result).toMatchObject({ state: 'written', path: join(t.home, 'elsewhere', 'current') });
    expect(existsSync(t.current)).toBe(false);
  });
});

describe('importing ~/.agave/current', () => {
  it('adds the server it names and signs in with method "file"; the session works', async () => {
    const t = await tapisHarness();
    const { text, accessToken } = agavepyCurrent(t);
    const path = writeFile(join(t.home, 'agavepy', 'current'), text);
    const view = await t.h.call('sessionFiles.import', { kind: 'tapis', path });
    expect(view).toMatchObject({ kind: 'tapis', url: t.tapis.url, options: { tenantId: t.tapis.tenantId }, name: `Tapis ${t.tapis.tenantId}` });
    expect(view.session).toEqual({
      state: 'signed-in',
      user: { name: 'alice' },
      method: 'file',
      signedInAt: new Date(START).toISOString(),
      persisted: true,
      expiresAt: new Date(START + 14_400_000).toISOString(),
      dependsOn: null,
      passwordRemembered: false,
    });
    await t.h.call('clipboard.copySession', { serverId: view.id, format: 'access-token' });
    expect(t.h.clipboard.text).toBe(accessToken);
    expect(await t.h.call('tokens.list', { serverId: view.id, password: ALICE_PASSWORD })).toHaveLength(1);
    // Importing changes nothing on disk.
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('a second import of the same file reuses the server', async () => {
    const t = await tapisHarness();
    const path = writeFile(join(t.home, '.agave', 'current'), agavepyCurrent(t).text);
    const first = await t.h.call('sessionFiles.import', { kind: 'tapis', path });
    const second = await t.h.call('sessionFiles.import', { kind: 'tapis' });
    expect(second.id).toBe(first.id);
    expect(await t.h.call('servers.list')).toHaveLength(1);
  });

  it('takes the client name from config.json beside it: deleting that client signs out', async () => {
    const t = await tapisHarness();
    const { text, clientKey } = agavepyCurrent(t);
    const path = writeFile(join(t.home, '.agave', 'current'), text);
    writeFile(join(t.home, '.agave', 'config.json'), JSON.stringify({ current: { 'cli-client': { apikey: clientKey } } }, null, 4));
    const view = await t.h.call('sessionFiles.import', { kind: 'tapis', path });
    expect(view.session).toMatchObject({ dependsOn: 'cli-client' });
    const tokens = await t.h.call('tokens.list', { serverId: view.id, password: ALICE_PASSWORD });
    expect(tokens.map((x) => [x.name, x.usedBySession])).toEqual([['cli-client', true]]);
  });

  it('import then export gives back the same bytes while the token is fresh', async () => {
    const t = await tapisHarness();
    const { text } = agavepyCurrent(t);
    const path = writeFile(join(t.home, 'from-agavepy', 'current'), text);
    const view = await t.h.call('sessionFiles.import', { kind: 'tapis', path });
    const out = join(t.home, 'to-agavepy', 'current');
    expect(await t.h.call('sessionFiles.export', { serverId: view.id, path: out })).toMatchObject({ state: 'written', path: out });
    expect(readFileSync(out, 'utf8')).toBe(text);
    expect(t.tapis.tokenRequests.refresh).toBe(0);
  });

  it('a file that is not a session: FILE_ERROR, no server added, no file changed, no secret in the error', async () => {
    const t = await tapisHarness();
    const { text } = agavepyCurrent(t);
    const broken = JSON.parse(text) as Record<string, unknown>;
    delete broken.refresh_token;
    const path = writeFile(join(t.home, '.agave', 'current'), JSON.stringify(broken));
    const before = tree(t.home);
    const error = await t.h.fail('sessionFiles.import', { kind: 'tapis', path });
    expect(error).toMatchObject({ code: 'FILE_ERROR', field: 'path', message: expect.stringMatching(/refresh_token/) });
    for (const secret of [broken.access_token, broken.apisecret]) expect(JSON.stringify(error)).not.toContain(String(secret));
    writeFileSync(path, 'not json at all');
    expect((await t.h.fail('sessionFiles.import', { kind: 'tapis', path })).code).toBe('FILE_ERROR');
    expect(await t.h.call('servers.list')).toEqual([]);
    expect(tree(t.home)).toEqual({ ...before, [path]: 'not json at all' });
    expect(t.h.store.get('secrets') ?? {}).toEqual({});
  });

  it('a missing file: FILE_ERROR naming the path', async () => {
    const t = await tapisHarness();
    const path = join(t.home, 'nowhere', 'current');
    expect(await t.h.fail('sessionFiles.import', { kind: 'tapis', path })).toMatchObject({ code: 'FILE_ERROR', field: 'path', message: expect.stringContaining(path) });
    expect(await t.h.fail('sessionFiles.import', { kind: 'tapis' })).toMatchObject({ code: 'FILE_ERROR', message: expect.stringContaining(join(t.home, '.agave', 'current')) });
    expect(await t.h.call('servers.list')).toEqual([]);
  });
});

describe('where the session file is', () => {
  it('~/.agave/current by default', async () => {
    const t = await tapisHarness();
    expect(await t.h.call('sessionFiles.locate', { kind: 'tapis' })).toEqual({ path: join(t.home, '.agave', 'current'), exists: false });
    writeFile(join(t.home, '.agave', 'current'), '{}');
    expect(await t.h.call('sessionFiles.locate', { kind: 'tapis' })).toEqual({ path: join(t.home, '.agave', 'current'), exists: true });
  });

  it('TAPIS_CACHE_DIR wins over AGAVE_CACHE_DIR, for locate and export', async () => {
    const t = await signedIn({ TAPIS_CACHE_DIR: '$HOME/tapis-cache', AGAVE_CACHE_DIR: '$HOME/agave-cache' });
    const path = join(t.home, 'tapis-cache', 'current');
    expect(await t.h.call('sessionFiles.locate', { kind: 'tapis' })).toEqual({ path, exists: false });
    expect(await t.h.call('sessionFiles.export', { serverId: t.serverId })).toMatchObject({ state: 'written', path });
    expect(existsSync(path)).toBe(true);
    expect(existsSync(t.current)).toBe(false);
    expect(existsSync(join(t.home, 'agave-cache'))).toBe(false);
  });

  it('AGAVE_CACHE_DIR is read when TAPIS_CACHE_DIR is not set', async () => {
    const t = await tapisHarness({ env: { AGAVE_CACHE_DIR: '$HOME/agave-cache' } });
    writeFile(join(t.home, 'agave-cache', 'current'), agavepyCurrent(t).text);
    expect(await t.h.call('sessionFiles.locate', { kind: 'tapis' })).toEqual({ path: join(t.home, 'agave-cache', 'current'), exists: true });
    const view = await t.h.call('sessionFiles.import', { kind: 'tapis' });
    expect(view.session).toMatchObject({ state: 'signed-in', method: 'file' });
  });
});

describe('session files written under umask 002 (mode 0664, the person\'s private group)', () => {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  /** This process as the person, with its group private or not. */
  const trust = (privateGroup: boolean) => ({ uid, isPrivateGroup: (g: number) => Promise.resolve(privateGroup && g === gid) });

  it('imports a 0664 file whose group is the person\'s own private group, and exports over it', async () => {
    const t = await tapisHarness({ fileTrust: trust(true) });
    const path = writeFile(join(t.home, '.agave', 'current'), agavepyCurrent(t).text);
    chmodSync(path, 0o664);
    const view = await t.h.call('sessionFiles.import', { kind: 'tapis', path });
    expect(view.session.state).toBe('signed-in');
    const written = await t.h.call('sessionFiles.export', { serverId: view.id, path, overwrite: true });
    expect(written.state).toBe('written');
  });

  it('a 0664 file of a group that is not private is refused with the "make it private" offer; makePrivate sets 0600 and the import then works', async () => {
    const t = await tapisHarness({ fileTrust: trust(false) });
    const path = writeFile(join(t.home, '.agave', 'current'), agavepyCurrent(t).text);
    const config = writeFile(join(t.home, '.agave', 'config.json'), '{"current": {}}');
    chmodSync(path, 0o664);
    chmodSync(config, 0o664);
    const before = tree(t.home);
    const error = await t.h.fail('sessionFiles.import', { kind: 'tapis', path });
    expect(error).toMatchObject({ code: 'FILE_ERROR', field: 'fileMode', hint: expect.stringMatching(/Make it private/) });
    expect(tree(t.home)).toEqual(before);
    await t.h.call('sessionFiles.makePrivate', { kind: 'tapis', path });
    expect(mode(path)).toBe(0o600);
    expect(mode(config)).toBe(0o600); // its companion too, which export would read next
    expect((await t.h.call('sessionFiles.import', { kind: 'tapis', path })).session.state).toBe('signed-in');
    expect(tree(t.home)).toEqual(before); // contents untouched
  });

  it('a file every user can write stays refused, private group or not, and makePrivate will not touch it', async () => {
    const t = await tapisHarness({ fileTrust: trust(true) });
    const path = writeFile(join(t.home, '.agave', 'current'), agavepyCurrent(t).text);
    chmodSync(path, 0o666);
    expect(await t.h.fail('sessionFiles.import', { kind: 'tapis', path })).toMatchObject({ code: 'FILE_ERROR', field: 'path', message: expect.stringMatching(/any user/) });
    expect(await t.h.fail('sessionFiles.makePrivate', { kind: 'tapis', path })).toMatchObject({ code: 'FILE_ERROR' });
    expect(mode(path)).toBe(0o666);
  });
});
