// Conformance: what Keyport produces must work with the real hatcher, and what hatcher makes
// must show in Keyport. Keyport here is the real core (the app's composition root) with test
// adapters; hatcher is the pinned PyPI release in the conformance venv.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedToken, ServerView, TokenView } from '../src/shared/model';
import { renderCopyText } from '../src/main/core/clipboard/copyFormats';
import { createTestCore, type TestCore } from '../e2e/host/testCore';
import { startEdsServer } from '../e2e/servers/eds/edsServer.ts';
import type { EdsServer } from '../e2e/servers/eds/edsServer.ts';
import { ensurePythonEnv, runCleanBash, runHatcher, runInVenv, VENV_DIR } from './pythonEnv.ts';

const PASSWORD = 'wonderland-secret';

let eds: EdsServer;
let keyport: TestCore;
let serverId: string;
let scratch: string;

async function createInKeyport(name: string): Promise<CreatedToken> {
  return keyport.call<CreatedToken>('tokens.create', { serverId, name, save: true });
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
  const server = await keyport.call<ServerView>('servers.add', { name: 'EDS', kind: 'eds', url: eds.url });
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
    const tokens = await keyport.call<TokenView[]>('tokens.list', { serverId });
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

  it('a token hatcher deletes disappears from Keyport, and Keyport’s saved copy no longer signs in', async () => {
    const { secret } = await createInKeyport('deleted-by-hatcher');
    const deleted = await runHatcher(['-u', eds.url, '-U', 'alice', '-p', PASSWORD, 'api-tokens', 'delete', '-y', 'deleted-by-hatcher']);
    expect(deleted.code).toBe(0);
    const tokens = await keyport.call<TokenView[]>('tokens.list', { serverId });
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
