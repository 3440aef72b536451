// Conformance: the tokens Keyport creates on an npm registry must work with the real npm CLI, in
// the forms Keyport copies them (.npmrc line, `export NPM_TOKEN=`), and must stop working once
// Keyport revokes them; a token the npm CLI creates must show in Keyport's list. Keyport here is
// the real core with test adapters; the registry is a real Verdaccio 6; npm is the machine's npm
// CLI run by this repository's Node 24, with a clean HOME, user and global config.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedToken } from '../src/shared/model';
import { createTestCore, type TestCore } from '../test/support/testCore';
import { startVerdaccio, type VerdaccioServer } from '../test/servers/npm/verdaccioServer.ts';
import { npmCli, type NpmCli } from './npmCli.ts';
import type { CommandResult } from './pythonEnv.ts';

let registry: VerdaccioServer;
let keyport: TestCore;
let serverId: string;
let npm: NpmCli;

const alice = () => registry.users[0]!;

async function createInKeyport(name: string, fields: Record<string, string>): Promise<CreatedToken> {
  return keyport.call('tokens.create', { serverId, name, save: true, fields, password: alice().password });
}

async function copyAs(secretId: string, format: string): Promise<string> {
  await keyport.call('clipboard.copy', { secretId, format });
  return keyport.clipboard.text;
}

const cleanBash = (script: string, config: string): Promise<CommandResult> => npm.bash(script, config);
const userconfig = (text: string): string => npm.userconfig(text);

const whoami = (config: string) => cleanBash(`npm whoami --registry "${registry.url}/"`, config);

beforeAll(async () => {
  npm = npmCli();
  registry = await startVerdaccio();
  keyport = createTestCore();
  const server = await keyport.call('servers.add', { name: 'Verdaccio', kind: 'npm', url: registry.url });
  serverId = server.id;
  await keyport.call('auth.signInWithPassword', { serverId, username: alice().username, password: alice().password });
});

afterAll(async () => {
  await keyport?.core.dispose();
  await registry?.close();
  npm?.dispose();
});

describe('Keyport and the real npm CLI on one Verdaccio account', () => {
  it('is the npm CLI this suite means to run', async () => {
    const version = await cleanBash('npm --version', userconfig(''));
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('read-only and publish tokens created in Keyport work in .npmrc, copied as Keyport copies them; revoked, they fail', async () => {
    for (const access of ['read-only', 'publish']) {
      const created = await createInKeyport(`npm-${access}`, { access });
      const line = await copyAs(created.secretId, 'npmrc');
      expect(line).toBe(`//${new URL(registry.url).host}/:_authToken=${created.secret}`);
      const config = userconfig(line);
      const before = await whoami(config);
      expect(before.code, before.stderr).toBe(0);
      expect(before.stdout.trim()).toBe(alice().username);

      await keyport.call('tokens.revoke', { serverId, tokenId: created.token.id });
      const after = await whoami(config);
      expect(after.code).not.toBe(0);
      expect(after.stdout.trim()).not.toBe(alice().username);
    }
  });

  it('`export NPM_TOKEN=…` as Keyport copies it works with an .npmrc that reads ${NPM_TOKEN}', async () => {
    const created = await createInKeyport('npm-env', { access: 'read-only' });
    const exported = await copyAs(created.secretId, 'shell');
    expect(exported).toMatch(/^export NPM_TOKEN=/);
    const config = userconfig(`//${new URL(registry.url).host}/:_authToken=\${NPM_TOKEN}`);
    const run = await cleanBash(`${exported}\nnpm whoami --registry "${registry.url}/"`, config);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(alice().username);
    // Without the variable, npm has no token for the registry.
    const without = await whoami(config);
    expect(without.code).not.toBe(0);
  });

  // npm 11's `token create` sends name, password and cidr_whitelist, and no `readonly` any more
  // (lib/commands/token.js): the registry makes a publish token, and Keyport lists it as such.
  it('a token `npm token create` makes shows in Keyport’s list, with its access and range', async () => {
    const publish = await createInKeyport('npm-admin', { access: 'publish' });
    const config = userconfig(await copyAs(publish.secretId, 'npmrc'));
    const made = await cleanBash(
      `npm token create --registry "${registry.url}/" --cidr 127.0.0.1/32 --password "$KP_PASSWORD" --json`.replace('$KP_PASSWORD', alice().password),
      config,
    );
    expect(made.code, made.stderr).toBe(0);
    const { token } = JSON.parse(made.stdout) as { token: string };
    const listed = await keyport.call('tokens.list', { serverId });
    const row = listed.find((t) => t.name === `${token.slice(0, 5)}...${token.slice(-5)}`);
    expect(row?.extra).toMatchObject({ access: 'Publish', cidr: '127.0.0.1/32' });
    // And Keyport can revoke what npm made.
    await keyport.call('tokens.revoke', { serverId, tokenId: row!.id });
    const after = await whoami(userconfig(`//${new URL(registry.url).host}/:_authToken=${token}`));
    expect(after.code).not.toBe(0);
  });
});
