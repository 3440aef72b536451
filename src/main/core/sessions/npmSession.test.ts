import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCore, type TestCore } from '../../../../test/support/testCore';
import { startVerdaccio, type VerdaccioServer } from '../../../../test/servers/npm/verdaccioServer';

/** npm sessions through the real core against a real Verdaccio: only creating a token needs the
 * account password (descriptor.tokenCreationNeedsPassword), given per call or remembered. */

let registry: VerdaccioServer;
const cores: TestCore[] = [];

beforeAll(async () => {
  registry = await startVerdaccio();
});
afterAll(async () => {
  await Promise.all(cores.map((c) => c.core.dispose()));
  await registry.close();
});

const alice = () => registry.users[0]!;

async function signedIn(options: { rememberPassword?: boolean } = {}): Promise<{ t: TestCore; serverId: string }> {
  const t = createTestCore();
  cores.push(t);
  const { id: serverId } = await t.call('servers.add', { name: 'Verdaccio', kind: 'npm', url: registry.url });
  await t.call('auth.signInWithPassword', { serverId, username: alice().username, password: alice().password, rememberPassword: options.rememberPassword ?? false });
  return { t, serverId };
}

async function failure(t: TestCore, procedure: string, input: unknown) {
  const result = await t.core.handle(procedure, input);
  if (result.ok) throw new Error(`${procedure} succeeded`);
  return result.error;
}

describe('npm tokens through the core', () => {
  it('lists and revokes with the session alone; creating asks for the password, which is not kept', async () => {
    const { t, serverId } = await signedIn();
    expect(await t.call('tokens.list', { serverId })).toEqual([]);
    expect(await failure(t, 'tokens.create', { serverId, name: 'ci', save: false, fields: { access: 'read-only' } })).toMatchObject({
      code: 'PASSWORD_REQUIRED',
      field: 'password',
      message: 'Verdaccio needs your password for this.',
    });
    const created = await t.call('tokens.create', { serverId, name: 'ci', save: true, fields: { access: 'read-only' }, password: alice().password });
    expect(created.token).toMatchObject({ name: 'ci', extra: { access: 'Read-only' } });
    // Still asked the next time: the password was used once.
    expect((await failure(t, 'tokens.create', { serverId, name: 'again', save: false, fields: {} })).code).toBe('PASSWORD_REQUIRED');
    expect((await t.call('tokens.list', { serverId })).map((x) => x.id)).toEqual([created.token.id]);
    // The registry keeps no names: the saved token is listed under the name given here, an
    // unsaved one under its masked value (npm.spec covers the page).
    const unsaved = await t.call('tokens.create', { serverId, name: 'not-kept', save: false, fields: { access: 'read-only' }, password: alice().password });
    const listed = await t.call('tokens.list', { serverId });
    expect(listed.find((x) => x.id === created.token.id)?.name).toBe('ci');
    expect(listed.find((x) => x.id === unsaved.token.id)?.name).toMatch(/^.{5}\.\.\..{5}$/);
    await t.call('tokens.revoke', { serverId, tokenId: unsaved.token.id });
    await t.call('tokens.revoke', { serverId, tokenId: created.token.id });
    expect(await t.call('tokens.list', { serverId })).toEqual([]);
    expect(t.logs.join('\n')).not.toContain(alice().password);
  });

  it('with “remember my password”, creating does not ask', async () => {
    const { t, serverId } = await signedIn({ rememberPassword: true });
    const servers = await t.call('servers.list');
    expect(servers[0]?.session).toMatchObject({ state: 'signed-in', passwordRemembered: true });
    const created = await t.call('tokens.create', { serverId, name: 'remembered', save: false, fields: { access: 'publish', cidr: '127.0.0.1/32' } });
    expect(created.token.extra).toMatchObject({ access: 'Publish', cidr: '127.0.0.1/32' });
  });

  it('copies a saved token as the .npmrc line and as export NPM_TOKEN', async () => {
    const { t, serverId } = await signedIn();
    const created = await t.call('tokens.create', { serverId, name: 'copy', save: true, fields: {}, password: alice().password });
    await t.call('clipboard.copy', { secretId: created.secretId, format: 'npmrc' });
    expect(t.clipboard.text).toBe(`//${new URL(registry.url).host}/:_authToken=${created.secret}`);
    await t.call('clipboard.copy', { secretId: created.secretId, format: 'shell' });
    expect(t.clipboard.text).toBe(`export NPM_TOKEN=${created.secret}`);
  });

  it('a one-time password is checked by the contract before anything is sent', async () => {
    const t = createTestCore();
    cores.push(t);
    const { id: serverId } = await t.call('servers.add', { name: 'Verdaccio', kind: 'npm', url: registry.url });
    expect(await failure(t, 'auth.signInWithPassword', { serverId, username: 'alice', password: 'x', otp: '12 34' })).toMatchObject({ code: 'VALIDATION', field: 'otp' });
    expect(await failure(t, 'auth.signInWithPassword', { serverId, username: 'alice', password: 'x', otp: '' })).toMatchObject({ code: 'VALIDATION', field: 'otp' });
  });
});
