// Conformance: Keyport on the reference registry for registry.npmjs.org, judged by the real npm
// CLI 11. For the same choices, the body Keyport sends to create a granular token equals the one
// `npm token create` sends (field names, types, units); the tokens Keyport creates work with
// `npm whoami` and `npm publish` exactly as their permissions say, in the forms Keyport copies
// them (.npmrc line, .npmrc with the registry or a named scope); a session that ends asks to
// sign in again. Keyport is the real core with test adapters; its "system browser" is the test
// person approving the web login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedToken } from '../src/shared/model';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { startNpmjsServer, type NpmjsServer } from '../test/servers/npmjs/npmjsServer.ts';
import { createdTokenFrom, npmCli, type NpmCli } from './npmCli.ts';

let registry: NpmjsServer;
let keyport: TestCore;
let npm: NpmCli;
let serverId: string;
let scopedServerId: string;
let npmSession: string;

const reg = () => `--registry "${registry.url}/"`;
const alice = () => registry.users[0]!;

async function createInKeyport(id: string, name: string, fields: Record<string, string>): Promise<CreatedToken> {
  return keyport.call('tokens.create', { serverId: id, name, save: true, fields, password: alice().password });
}

async function copyAs(secretId: string, format: string): Promise<string> {
  await keyport.call('clipboard.copy', { secretId, format });
  return keyport.clipboard.text;
}

/** The body of the last token create, without the token's name (each side names its own). */
function lastCreateBody(): Record<string, unknown> {
  const entry = registry.requestLog.filter((e) => e.method === 'POST' && e.path === '/-/npm/v1/tokens').at(-1);
  const { name: _name, ...rest } = (entry?.body ?? {}) as Record<string, unknown>;
  return rest;
}

beforeAll(async () => {
  registry = await startNpmjsServer();
  npm = npmCli();
  keyport = createTestCore({ openBrowser: async (url) => void (await registry.person(url, { approveAs: 'alice' })) });
  serverId = (await keyport.call('servers.add', { name: 'npmjs', kind: 'npm', url: registry.url })).id;
  scopedServerId = (await keyport.call('servers.add', { name: 'npmjs for @alice', kind: 'npm', url: registry.url, options: { scope: 'alice' } })).id;
  await keyport.call('auth.signInWithBrowser', { serverId });
  await keyport.call('auth.signInWithBrowser', { serverId: scopedServerId });
  // npm's own session for the same account, by its web login.
  const config = npm.userconfig('');
  const login = npm.bash(`npm login --auth-type=web --browser=false ${reg()}`, config);
  for (let i = 0; i < 200 && registry.pendingUrls().length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
  await registry.person(registry.pendingUrls()[0] ?? '', { approveAs: 'alice' });
  expect((await login).code).toBe(0);
  npmSession = config;
});

afterAll(async () => {
  await keyport?.core.dispose();
  await registry?.close();
  npm?.dispose();
});

describe('Keyport and npm 11 send the same token create bodies', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['the defaults: read-only, all packages, 30 days', {}, '--packages-all --packages-and-scopes-permission read-only --expires 30'],
    [
      'every choice',
      { access: 'publish', expires: '60', packages: 'alice-pkg, @alice/tools', scopes: '@alice', orgs: 'alice-org', orgsAccess: 'read-only', description: 'publishes from CI', cidr: '127.0.0.1/32', bypass2fa: 'bypass' },
      '--packages alice-pkg --packages @alice/tools --scopes @alice --orgs alice-org --packages-and-scopes-permission read-write --orgs-permission read-only --expires 60 --token-description "publishes from CI" --cidr 127.0.0.1/32 --bypass-2fa',
    ],
    ['organizations only', { access: 'no-access', orgs: 'alice-org', orgsAccess: 'read-write', expires: '7' }, '--orgs alice-org --packages-and-scopes-permission no-access --orgs-permission read-write --expires 7'],
  ];
  it.each(cases)('%s', async (label, fields, flags) => {
    const created = await createInKeyport(serverId, `keyport ${label}`, fields);
    expect(created.secret).toMatch(/^npm_/);
    const keyportBody = lastCreateBody();
    const run = await npm.bash(`npm token create ${reg()} --name "npm ${label}" ${flags} --password "${alice().password}"`, npmSession);
    expect(run.code, run.stderr).toBe(0);
    expect(keyportBody).toEqual(lastCreateBody());
  });
});

describe('tokens Keyport creates work with npm exactly as their permissions say', () => {
  it('read-only for all packages: npm whoami works, npm publish is refused; its expiry is kept with the saved copy for reminders', async () => {
    const created = await createInKeyport(serverId, 'reader', {});
    const saved = (await keyport.call('secrets.list')).find((s) => s.id === created.secretId);
    expect(saved?.expiresAt).toBe(created.token.expiresAt);
    expect(Date.parse(saved?.expiresAt ?? '') - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
    const config = npm.userconfig(await copyAs(created.secretId, 'npmrc'));
    const who = await npm.bash(`npm whoami ${reg()}`, config);
    expect(who.stdout.trim(), who.stderr).toBe('alice');
    const refused = await npm.publish('alice-pkg', config, reg());
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/403|permission/i);
  });

  it('read and write for one package, copied as “.npmrc with registry”: publishes it (no --registry needed), not another', async () => {
    const created = await createInKeyport(serverId, 'publisher', { access: 'publish', packages: 'alice-pkg' });
    const copied = await copyAs(created.secretId, 'npmrc-registry');
    expect(copied).toBe(`registry=${registry.url}/\n//${new URL(registry.url).host}/:_authToken=${created.secret}`);
    const config = npm.userconfig(copied);
    const allowed = await npm.publish('alice-pkg', config);
    expect(allowed.code, allowed.stderr).toBe(0);
    const refused = await npm.publish('another-pkg', config);
    expect(refused.code).not.toBe(0);
  });

  it('a scope named on the server: the copy routes only @alice to the registry, and npm publishes @alice/tools there', async () => {
    const created = await createInKeyport(scopedServerId, 'scoped', { access: 'publish', scopes: '@alice' });
    const copied = await copyAs(created.secretId, 'npmrc-registry');
    expect(copied.split('\n')[0]).toBe(`@alice:registry=${registry.url}/`);
    const published = await npm.publish('@alice/tools', npm.userconfig(copied));
    expect(published.code, published.stderr).toBe(0);
    expect(registry.published()).toContain('@alice/tools');
  });

  it('“GitHub Actions” is actions/setup-node with NODE_AUTH_TOKEN from a secret, and the .npmrc it writes works', async () => {
    const created = await createInKeyport(scopedServerId, 'actions', { access: 'publish', scopes: '@alice' });
    const snippet = await copyAs(created.secretId, 'github-actions');
    expect(snippet).toContain(`registry-url: '${registry.url}/'`);
    expect(snippet).toContain("scope: '@alice'");
    expect(snippet).toContain('NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}');
    expect(snippet).not.toContain(created.secret);
    // What setup-node writes (its .npmrc convention), with the secret in NODE_AUTH_TOKEN.
    const config = npm.userconfig(`//${new URL(registry.url).host}/:_authToken=\${NODE_AUTH_TOKEN}\n@alice:registry=${registry.url}/`);
    const run = await npm.bash(`export NODE_AUTH_TOKEN=${created.secret}\nnpm whoami --registry "${registry.url}/"`, config);
    expect(run.stdout.trim(), run.stderr).toBe('alice');
  });

  it('a token npm creates shows in Keyport’s list with its expiry and permissions; Keyport revokes it and npm can no longer use it', async () => {
    const run = await npm.bash(`npm token create ${reg()} --name from-npm --packages alice-pkg --packages-and-scopes-permission read-write --expires 14 --password "${alice().password}"`, npmSession);
    const token = createdTokenFrom(run.stdout);
    const listed = await keyport.call('tokens.list', { serverId });
    const row = listed.find((t) => t.name === 'from-npm');
    expect(row).toMatchObject({ extra: { access: 'Read and write', reach: 'alice-pkg' } });
    expect(Date.parse(row?.expiresAt ?? '') - Date.now()).toBeGreaterThan(13.9 * 86_400_000);
    await keyport.call('tokens.revoke', { serverId, tokenId: row!.id });
    const who = await npm.bash(`npm whoami ${reg()}`, npm.userconfig(`//${new URL(registry.url).host}/:_authToken=${token}`));
    expect(who.code).not.toBe(0);
  });
});

describe('the two-hour session', () => {
  it('shows its expiry; once the registry ends it, Keyport asks to sign in again instead of failing silently', async () => {
    const before = (await keyport.call('servers.list')).find((s) => s.id === serverId)!;
    expect(before.session.state).toBe('signed-in');
    if (before.session.state === 'signed-in') expect(Date.parse(before.session.expiresAt ?? '') - Date.now()).toBeGreaterThan(110 * 60_000);
    registry.expireSessions();
    await expect(keyport.call('tokens.list', { serverId })).rejects.toThrow(/SESSION_EXPIRED/);
    const after = (await keyport.call('servers.list')).find((s) => s.id === serverId)!;
    expect(after.session.state).toBe('expired');
  });
});
