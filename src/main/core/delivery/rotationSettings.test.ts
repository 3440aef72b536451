// Rotate makes the new token the way the old one was made: against the reference registry for
// registry.npmjs.org (granular tokens), the successor has the same packages, scopes,
// permission, expiry duration, IP ranges and description, is tried at the server (npm whoami
// with it) before anything is revoked, and a second rotation on the same day counts on.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCore, mapStore, type TestCore } from '../../../../test/support/testCore';
import { forgetRecordedSettings } from '../../../../test/support/vaultTesting';
import { startNpmjsServer, type NpmjsServer } from '../../../../test/servers/npmjs/npmjsServer';

let registry: NpmjsServer;
let keyport: TestCore;
let serverId: string;
const DAY_MS = 24 * 60 * 60 * 1000;

beforeEach(async () => {
  registry = await startNpmjsServer();
  keyport = createTestCore({ openBrowser: async (url) => void (await registry.person(url, { approveAs: 'alice' })), signInTimeoutMs: 30_000 });
  serverId = (await keyport.call('servers.add', { name: 'npmjs', kind: 'npm', url: registry.url })).id;
  await keyport.call('auth.signInWithBrowser', { serverId });
});
afterEach(async () => {
  await keyport.core.dispose();
  await registry.close();
});

describe('Rotate keeps a granular npm token’s settings', () => {
  it('same packages, scopes, permission, expiry duration, IP ranges and description; the new token is tried with whoami before the old one is revoked', async () => {
    const password = registry.users[0]!.password;
    const fields = { access: 'read-only', packages: 'alice-pkg', scopes: '@alice', expires: '30', cidr: '127.0.0.0/8', description: 'ci box' };
    const created = await keyport.call('tokens.create', { serverId, name: 'deploy', save: true, fields, password });
    const [old] = registry.tokens('alice');
    if (!old) throw new Error('no token');

    const whoamisBefore = registry.requestLog.filter((e) => e.path === '/-/whoami').length;
    const rotated = await keyport.call('delivery.rotate', { secretId: created.secretId, password });
    expect(rotated.state, JSON.stringify(rotated.steps)).toBe('done');
    expect(rotated.steps[0]).toMatchObject({ step: 'create', message: expect.stringContaining('with the same settings as when it was made (access read-only, packages alice-pkg') as unknown });
    expect(rotated.steps.find((s) => s.step === 'check')).toMatchObject({ ok: true, message: 'npmjs accepts deploy-' + new Date().toISOString().slice(0, 10) + '.' });
    // The check was a whoami with the new token, before the revoke.
    const log = registry.requestLog.map((e) => `${e.method} ${e.path}`);
    expect(registry.requestLog.filter((e) => e.path === '/-/whoami').length).toBeGreaterThan(whoamisBefore);
    expect(log.lastIndexOf('GET /-/whoami')).toBeLessThan(log.findLastIndex((l) => l.startsWith('DELETE /-/npm/v1/tokens/token/')));

    const [fresh, ...others] = registry.tokens('alice');
    expect(others).toEqual([]);
    if (!fresh) throw new Error('no new token');
    expect(fresh.key).not.toBe(old.key);
    expect(fresh.name).toMatch(/^deploy-\d{4}-\d{2}-\d{2}$/);
    expect({ packages: fresh.packages, scopes: fresh.scopes, permission: fresh.packagesPermission, cidr: fresh.cidr, description: fresh.description, all: fresh.packagesAll }).toEqual({
      packages: old.packages,
      scopes: old.scopes,
      permission: 'read-only',
      cidr: ['127.0.0.0/8'],
      description: 'ci box',
      all: false,
    });
    const lifetime = (r: { created: string; expires: string }) => Math.round((Date.parse(r.expires) - Date.parse(r.created)) / DAY_MS);
    expect(lifetime(fresh)).toBe(30);
    expect(lifetime(old)).toBe(30);

    // Rotated again the same day: the name counts on, the settings carry over again.
    const again = await keyport.call('delivery.rotate', { secretId: rotated.newSecretId!, password });
    expect(again.state, JSON.stringify(again.steps)).toBe('done');
    const [third] = registry.tokens('alice');
    expect(third?.name).toMatch(/^deploy-\d{4}-\d{2}-\d{2}-2$/);
    expect({ packages: third?.packages, scopes: third?.scopes, cidr: third?.cidr, days: third ? lifetime(third) : 0 }).toEqual({ packages: ['alice-pkg'], scopes: ['@alice'], cidr: ['127.0.0.0/8'], days: 30 });
  });

  it('settings given to Rotate override the recorded ones', async () => {
    const password = registry.users[0]!.password;
    const created = await keyport.call('tokens.create', { serverId, name: 'publish', save: true, fields: { access: 'read-only', expires: '30' }, password });
    const rotated = await keyport.call('delivery.rotate', { secretId: created.secretId, fields: { expires: '7' }, password });
    expect(rotated.state).toBe('done');
    const [fresh] = registry.tokens('alice');
    expect(Math.round((Date.parse(fresh?.expires ?? '') - Date.parse(fresh?.created ?? '')) / DAY_MS)).toBe(7);
    expect(fresh?.packagesPermission).toBe('read-only');
  });
});

describe('Rotate of a granular npm token Keyport did not record the settings of', () => {
  it('reads them from the registry’s list: the same packages, scopes, organizations, permissions, expiry, IP ranges and description; the create step says so', async () => {
    const password = registry.users[0]!.password;
    // A vault Keyport keeps across restarts; the token is saved, then the record of its settings
    // goes, as in a vault from before Keyport recorded them.
    await keyport.core.dispose();
    const store = mapStore();
    const key = randomBytes(32);
    const start = () => createTestCore({ store, key, openBrowser: async (url) => void (await registry.person(url, { approveAs: 'alice' })), signInTimeoutMs: 30_000 });
    keyport = start();
    serverId = (await keyport.call('servers.add', { name: 'npmjs', kind: 'npm', url: registry.url })).id;
    await keyport.call('auth.signInWithBrowser', { serverId });
    const fields = { access: 'publish', packages: 'alice-pkg', scopes: '@alice', orgs: 'alice-org', orgsAccess: 'read-only', expires: '14', cidr: '127.0.0.0/8, 10.0.0.0/8', description: 'ci box' };
    const created = await keyport.call('tokens.create', { serverId, name: 'pasted', save: true, fields, password });
    await keyport.core.dispose();
    expect(forgetRecordedSettings(store)).toBe(1);
    keyport = start();

    const rotated = await keyport.call('delivery.rotate', { secretId: created.secretId, password });
    expect(rotated.state, JSON.stringify(rotated.steps)).toBe('done');
    expect(rotated.steps[0]).toMatchObject({
      step: 'create',
      ok: true,
      message: expect.stringMatching(/^Created pasted-\d{4}-\d{2}-\d{2} with the settings read from npmjs’s list \(access publish, packages alice-pkg, scopes @alice, orgs alice-org, orgsAccess read-only, expires 14, cidr 127\.0\.0\.0\/8, 10\.0\.0\.0\/8, description ci box\)\.$/) as unknown,
    });
    const [fresh, ...others] = registry.tokens('alice');
    expect(others).toEqual([]);
    const settings = (r: NonNullable<typeof fresh>) => ({
      packages: r.packages,
      all: r.packagesAll,
      scopes: r.scopes,
      orgs: r.orgs,
      permission: r.packagesPermission,
      orgsPermission: r.orgsPermission,
      cidr: r.cidr,
      description: r.description,
      bypass: r.bypass2fa,
      days: Math.round((Date.parse(r.expires) - Date.parse(r.created)) / DAY_MS),
    });
    expect(fresh?.name).toMatch(/^pasted-\d{4}-\d{2}-\d{2}$/);
    expect(settings(fresh!)).toEqual({
      packages: ['alice-pkg'],
      all: false,
      scopes: ['@alice'],
      orgs: ['alice-org'],
      permission: 'read-write',
      orgsPermission: 'read-only',
      cidr: ['127.0.0.0/8', '10.0.0.0/8'],
      description: 'ci box',
      bypass: false,
      days: 14,
    });
  });
});
