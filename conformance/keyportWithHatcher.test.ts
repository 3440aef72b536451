// Conformance: what Keyport produces must work with the real hatcher, and what hatcher makes
// must show in Keyport. Keyport here is the real core (the app's composition root) with test
// adapters; hatcher is the pinned PyPI release in the conformance venv.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedToken } from '../src/shared/model';
import { renderCopyText } from '../src/main/core/clipboard/copyFormats';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { startEdsServer } from '../test/servers/eds/edsServer.ts';
import type { EdsServer } from '../test/servers/eds/edsServer.ts';
import { ensurePythonEnv, runCleanBash, runHatcher, runInVenv, VENV_DIR } from './pythonEnv.ts';

const PASSWORD = 'wonderland-secret';

let eds: EdsServer;
let keyport: TestCore;
let serverId: string;
let scratch: string;

async function createInKeyport(name: string): Promise<CreatedToken> {
  return keyport.call('tokens.create', { serverId, name, save: true });
}

async function copyAs(secretId: string, format: string): Promise<string> {
  await keyport.call('clipboard.copy', { secretId, format });
  return keyport.clipboard.text;
}

/** bash in an empty environment (only PATH to reach hatcher), running `script`. */
const cleanBash = (script: string) => runCleanBash(script, { PATH: `${resolve(VENV_DIR, 'bin')}:/usr/bin:/bin`, HOME: scratch, LANG: 'C.UTF-8' });

beforeAll(async () => {
  await ensurePythonEnv();
  eds = await startEdsServer();
  scratch = mkdtempSync(join(tmpdir(), 'keyport-conformance-'));
  keyport = createTestCore();
  const server = await keyport.call('servers.add', { name: 'EDS', kind: 'eds', url: eds.url });
  serverId = server.id;
  await keyport.call('auth.signInWithPassword', { serverId, username: 'alice', password: PASSWORD });
});

afterAll(async () => {
  await keyport?.core.dispose();
  await eds?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('Keyport and the real hatcher on one EDS account', () => {
  it('a token created by hatcher appears in Keyport’s list', async () => {
    const created = await runHatcher(['-u', eds.url, '-U', 'alice', '-p', PASSWORD, 'api-tokens', 'create', 'from-hatcher']);
    expect(created.code).toBe(0);
    const tokens = await keyport.call('tokens.list', { serverId });
    expect(tokens.map((t) => t.name)).toContain('from-hatcher');
    expect(tokens.find((t) => t.name === 'from-hatcher')?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('a token created in Keyport works with `hatcher --token` and with HATCHER_TOKEN', async () => {
    const { secret } = await createInKeyport('from-keyport');
    const withFlag = await runHatcher(['-u', eds.url, '--token', secret, 'api-tokens', 'list']);
    expect(withFlag.stderr).toBe('');
    expect(withFlag.code).toBe(0);
    expect(withFlag.stdout).toMatch(/^from-keyport\s/m);
    const withEnv = await runHatcher(['api-tokens', 'list'], { HATCHER_URL: eds.url, HATCHER_TOKEN: secret });
    expect(withEnv.code).toBe(0);
    expect(withEnv.stdout).toMatch(/^from-keyport\s/m);
  });

  it('after Keyport revokes a token, hatcher reports that authentication failed', async () => {
    const { secret, token } = await createInKeyport('to-revoke');
    expect((await runHatcher(['-u', eds.url, '--token', secret, 'api-tokens', 'list'])).code).toBe(0);
    await keyport.call('tokens.revoke', { serverId, tokenId: token.id });
    const after = await runHatcher(['-u', eds.url, '--token', secret, 'api-tokens', 'list']);
    expect(after.code).not.toBe(0);
    expect(after.stderr).toContain('Authentication failed');
  });

  it('names hatcher and the server accept are sent as typed: over 100 characters, and "dup " beside "dup"', async () => {
    const long = `ci-${'x'.repeat(147)}`;
    expect((await runHatcher(['-u', eds.url, '-U', 'alice', '-p', PASSWORD, 'api-tokens', 'create', 'dup'])).code).toBe(0);
    await keyport.call('tokens.create', { serverId, name: long, save: false });
    await keyport.call('tokens.create', { serverId, name: 'dup ', save: false });
    expect(eds.hasApiToken('alice', long)).toBe(true);
    expect(eds.hasApiToken('alice', 'dup ')).toBe(true);
    expect(eds.hasApiToken('alice', 'dup')).toBe(true);
    // hatcher deletes each by the exact name, so they are two tokens to it as well.
    expect((await runHatcher(['-u', eds.url, '-U', 'alice', '-p', PASSWORD, 'api-tokens', 'delete', '-y', 'dup '])).code).toBe(0);
    expect(eds.hasApiToken('alice', 'dup ')).toBe(false);
    expect(eds.hasApiToken('alice', 'dup')).toBe(true);
    expect((await runHatcher(['-u', eds.url, '-U', 'alice', '-p', PASSWORD, 'api-tokens', 'delete', '-y', long])).code).toBe(0);
    const names = (await keyport.call('tokens.list', { serverId })).map((t) => t.name);
    expect(names).toContain('dup');
    expect(names).not.toContain(long);
  });

  it('a token hatcher deletes disappears from Keyport, and Keyport’s saved copy no longer signs in', async () => {
    const { secret } = await createInKeyport('deleted-by-hatcher');
    const deleted = await runHatcher(['-u', eds.url, '-U', 'alice', '-p', PASSWORD, 'api-tokens', 'delete', '-y', 'deleted-by-hatcher']);
    expect(deleted.code).toBe(0);
    const tokens = await keyport.call('tokens.list', { serverId });
    expect(tokens.map((t) => t.name)).not.toContain('deleted-by-hatcher');
    expect(eds.isApiTokenValid(secret)).toBe(false);
  });
});

describe('copy formats, used by their real consumers', () => {
  it('"Shell (export)", evaluated by bash in a clean environment, is all hatcher needs', async () => {
    const { secretId } = await createInKeyport('shell-copy');
    const text = await copyAs(secretId, 'shell');
    const result = await cleanBash(`${text}\nhatcher api-tokens list`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^shell-copy\s/m);
  });

  it('".env", parsed by python-dotenv, yields the same URL and token', async () => {
    const { secretId, secret } = await createInKeyport('dotenv-copy');
    const file = join(scratch, 'keyport.env');
    writeFileSync(file, await copyAs(secretId, 'dotenv'));
    const parsed = await runInVenv('python', ['-c', 'import json, sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1])))', file]);
    expect(parsed.code).toBe(0);
    const values = JSON.parse(parsed.stdout) as Record<string, string>;
    expect(values).toEqual({ HATCHER_URL: eds.url, HATCHER_TOKEN: secret });
    const listed = await runHatcher(['api-tokens', 'list'], values);
    expect(listed.code).toBe(0);
  });

  it('".env" text of awkward values is read back exactly by python-dotenv', async () => {
    // `${…}` is refused by Keyport (python-dotenv expands it in any quoting); `$x` is not expanded.
    // Control characters, a tab included, are refused for every command-line format (issue 22).
    const values = ['a b', 'a"b', "it's", 'back\\slash', 'a $HOME b', '$PATH', 'x=y#z', 'ünïcödé ✓', ''];
    const env = values.map((v, i) => [`V${i}`, v] as const);
    const file = join(scratch, 'awkward.env');
    writeFileSync(file, renderCopyText('dotenv', 'x', env));
    const parsed = await runInVenv('python', ['-c', 'import json, sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1])))', file]);
    expect(parsed.code).toBe(0);
    expect(JSON.parse(parsed.stdout)).toEqual(Object.fromEntries(env));
  });
});

describe('copy formats on a server signed by a CA that only Keyport was told about', () => {
  let tls: EdsServer;
  let tlsKeyport: TestCore;
  let tlsServerId: string;

  beforeAll(async () => {
    tls = await startEdsServer({ https: true });
    const caFile = join(scratch, 'corp ca.pem');
    writeFileSync(caFile, tls.caPem ?? '');
    tlsKeyport = createTestCore();
    tlsServerId = (await tlsKeyport.call('servers.add', { name: 'EDS TLS', kind: 'eds', url: tls.url, caCertificatePath: caFile })).id;
    await tlsKeyport.call('auth.signInWithPassword', { serverId: tlsServerId, username: 'alice', password: PASSWORD });
  });

  afterAll(async () => {
    await tlsKeyport?.core.dispose();
    await tls?.close();
  });

  it('hatcher verifies the server with nothing but the copied shell text (REQUESTS_CA_BUNDLE)', async () => {
    const { secretId } = await tlsKeyport.call('tokens.create', { serverId: tlsServerId, name: 'tls-copy', save: true });
    await tlsKeyport.call('clipboard.copy', { secretId, format: 'shell' });
    const text = tlsKeyport.clipboard.text;
    expect(text).toContain('REQUESTS_CA_BUNDLE=');
    // Without the copy hatcher does not trust the server: the copy is what makes it work.
    const bare = await cleanBash(`hatcher -u ${tls.url} -U alice -p ${PASSWORD} api-tokens list`);
    expect(`${bare.stdout}${bare.stderr}`).toContain('CERTIFICATE_VERIFY_FAILED');
    const result = await cleanBash(`${text}\nhatcher api-tokens list`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^tls-copy\s/m);
  });

  it('the .env copy, read by python-dotenv, is all hatcher needs too', async () => {
    const { secretId } = await tlsKeyport.call('tokens.create', { serverId: tlsServerId, name: 'tls-dotenv', save: true });
    await tlsKeyport.call('clipboard.copy', { secretId, format: 'dotenv' });
    const file = join(scratch, 'tls.env');
    writeFileSync(file, tlsKeyport.clipboard.text);
    const parsed = await runInVenv('python', ['-c', 'import json, sys; from dotenv import dotenv_values; print(json.dumps(dotenv_values(sys.argv[1])))', file]);
    const values = JSON.parse(parsed.stdout) as Record<string, string>;
    const listed = await runHatcher(['api-tokens', 'list'], values);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^tls-dotenv\s/m);
  });
});

describe('a password outside ASCII', () => {
  it('works in Keyport and in hatcher on the same server (both send it in latin-1)', async () => {
    const latin = await startEdsServer({ users: [{ username: 'jörg', password: 'pässwörd', email: 'j@example.com' }] });
    const latinKeyport = createTestCore();
    try {
      const id = (await latinKeyport.call('servers.add', { name: 'Latin', kind: 'eds', url: latin.url })).id;
      await latinKeyport.call('auth.signInWithPassword', { serverId: id, username: 'jörg', password: 'pässwörd' });
      await latinKeyport.call('tokens.create', { serverId: id, name: 'from-keyport', save: false });
      const listed = await runHatcher(['-u', latin.url, '-U', 'jörg', '-p', 'pässwörd', 'api-tokens', 'list']);
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^from-keyport\s/m);
    } finally {
      await latinKeyport.core.dispose();
      await latin.close();
    }
  });
});
