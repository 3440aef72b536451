import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../audit/auditLog';
import { STORE_KEYS } from '../../storeKeys';
import { recordingLogger } from '../../../../../test/support/vaultTesting';
import { createAesCipher, createUnavailableCipher } from '../aesCipher';
import { Vault } from '../vault';
import { openVaultFile, readVaultContents, type VaultFile } from '../vaultFile';
import { STORE_VERSION } from './index';

/** The vaults Keyport 0.1.0 wrote (scripts/make-vault-fixture.ts, run with that release's
 * code), opened by today's: nothing lost, and the old bag of text now in typed fields. The made-up
 * key and passphrase are the script's. */
const FIXTURES = join(import.meta.dirname, 'fixtures');
const KEY = Buffer.alloc(32, 7);
const PASSPHRASE = 'fixture passphrase';
const SCRYPT = { N: 1024, r: 8, p: 1 };

const dirs: string[] = [];
const stores: VaultFile[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) {
    await store.settled();
    store.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openCopy(name: string, dir?: string): { store: VaultFile; dir: string } {
  const folder = dir ?? mkdtempSync(join(tmpdir(), 'keyport-fixture-'));
  if (!dir) {
    dirs.push(folder);
    copyFileSync(join(FIXTURES, name), join(folder, 'vault.json'));
  }
  const store = openVaultFile(join(folder, 'vault.json'));
  stores.push(store);
  return { store, dir: folder };
}

const at = (day: number) => `2026-0${day < 10 ? 1 : 2}-${String((day % 9) + 10)}T10:00:00.000Z`;

async function expectEverything(vault: Vault, store: VaultFile): Promise<void> {
  expect(vault.servers()).toEqual([
    { id: 'srv-eds', name: 'Enthought', kind: 'eds', url: 'https://eds.example.com', allowInsecureTls: false, caCertificatePath: null, options: {}, createdAt: at(1) },
    { id: 'srv-oidc', name: 'Company SSO', kind: 'oidc', url: 'https://sso.example.com/realms/a', allowInsecureTls: false, caCertificatePath: '/etc/ssl/company.pem', options: { clientId: 'keyport' }, createdAt: at(2) },
    { id: 'srv-tapis', name: 'Tapis', kind: 'tapis3', url: 'https://tacc.tapis.io', allowInsecureTls: true, caCertificatePath: null, options: { tenantId: 'tacc' }, createdAt: at(3) },
  ]);
  const metas = Object.fromEntries(vault.secrets().map((m) => [m.id, m]));
  expect(Object.keys(metas).sort()).toEqual(
    ['sec-eds-password', 'sec-eds-session', 'sec-eds-tok1', 'sec-eds-tok2', 'sec-eds-tok3', 'sec-oidc-client-secret', 'sec-oidc-credential', 'sec-oidc-session', 'sec-tapis-client', 'sec-tapis-session'].sort(),
  );
  for (const id of Object.keys(metas)) expect(await vault.readSecret(id)).toBe(`value of ${id}`);
  const base = { savedAt: at(4), expiresAt: null, pinned: false, claims: null, deliveryTargets: [], rotatedTo: null, createdWith: null };
  expect(metas['sec-eds-tok1']).toEqual({ ...base, id: 'sec-eds-tok1', serverId: 'srv-eds', purpose: 'api-token', name: 'laptop', expiresAt: '2027-03-01T00:00:00.000Z', pinned: true, attributes: { tokenId: 'laptop', tokenCreatedAt: at(5) } });
  expect(metas['sec-eds-tok2']).toEqual({ ...base, id: 'sec-eds-tok2', serverId: 'srv-eds', purpose: 'api-token', name: 'ci-runner', attributes: { tokenId: 'ci-runner', gone: 'true' } });
  expect(metas['sec-eds-tok3']).toEqual({
    ...base,
    id: 'sec-eds-tok3',
    serverId: 'srv-eds',
    purpose: 'api-token',
    name: 'build',
    expiresAt: '2026-12-31T23:59:59.000Z',
    pinned: true,
    deliveryTargets: [{ id: 'tgt-1', host: 'ci.example.com', port: 22, user: 'deploy', path: '/home/deploy/.env', format: 'env', lastDeliveredAt: null, sha256: null }],
    attributes: { tokenId: 'build' },
  });
  expect(metas['sec-oidc-session']).toEqual({
    ...base,
    id: 'sec-oidc-session',
    serverId: 'srv-oidc',
    purpose: 'session',
    name: 'session',
    expiresAt: '2026-02-15T10:05:00.000Z',
    claims: [
      { name: 'sub', value: 'bob-1' },
      { name: 'email_verified', value: 'true' },
    ],
    attributes: { method: 'browser', userName: 'bob', issuedAt: at(6), scope: 'openid profile offline_access' },
  });
  expect(metas['sec-eds-session']).toEqual({ ...base, id: 'sec-eds-session', serverId: 'srv-eds', purpose: 'session', name: 'session', attributes: { method: 'password', userName: 'alice', userEmail: 'alice@example.com', issuedAt: at(4) } });
  expect(metas['sec-eds-password']?.attributes).toEqual({ username: 'alice' });
  expect(metas['sec-tapis-session']).toMatchObject({ expiresAt: '2026-02-16T14:00:00.000Z', attributes: { clientId: 'keyport-carol', tenantId: 'tacc', dependsOn: 'keyport-carol' } });
  expect(metas['sec-tapis-client']?.attributes).toEqual({ tokenId: 'keyport-carol', key: 'client-key-carol', sessionClient: 'true' });
  expect(metas['sec-oidc-client-secret']).toMatchObject({ purpose: 'server-setting', name: 'clientSecret' });
  expect(vault.settings()).toMatchObject({ clipboardClearSeconds: 45, theme: 'dark', reminderDays: [14, 3], defaultCopyFormats: { eds: 'env' } });
  expect(vault.unreadableCount()).toBe(0);
  expect(new AuditLog(store, () => new Date()).list().map((e) => [e.action, e.serverName, e.subject])).toEqual([
    ['session.copied', 'Company SSO', 'session'],
    ['token.created', 'Enthought', 'laptop'],
  ]);
  expect(store.get(STORE_KEYS.remindersSent)).toEqual({ 'sec-eds-tok3@1798761599000:30': at(9) });
}

describe('a vault written by Keyport 0.1.0 (layout 1)', () => {
  it('keyring mode: opens with nothing lost, migrated to the current layout in the file, and again after a restart', async () => {
    const first = openCopy('vault-0.1.0-keyring.log');
    const logger = recordingLogger();
    await expectEverything(new Vault(first.store, createAesCipher(KEY), logger), first.store);
    expect(logger.lines).toEqual([]);
    const onDisk = readVaultContents(first.store.path) as { version: number; secrets: Record<string, { meta: { attributes: Record<string, string> } }> };
    expect(onDisk.version).toBe(STORE_VERSION);
    for (const { meta } of Object.values(onDisk.secrets)) for (const moved of ['expiresAt', 'pinned', 'claims', 'deliveryTargets', 'rotatedTo', 'createdWith']) expect(Object.keys(meta.attributes)).not.toContain(moved);
    await first.store.settled();
    first.store.close();

    const again = openCopy('', first.dir);
    const text = readFileSync(again.store.path, 'utf8');
    await expectEverything(new Vault(again.store, createAesCipher(KEY), recordingLogger()), again.store);
    // Already migrated: opening writes nothing.
    expect(readFileSync(again.store.path, 'utf8')).toBe(text);
  });

  it('passphrase mode: unlocks with its passphrase and has everything', async () => {
    const { store } = openCopy('vault-0.1.0-passphrase.log');
    const vault = new Vault(store, createUnavailableCipher('basic_text', 'no keyring'), recordingLogger(), { scryptCost: SCRYPT });
    expect(vault.storage()).toMatchObject({ mode: 'passphrase', locked: true });
    await vault.unlock(PASSPHRASE);
    await expectEverything(vault, store);
  });
});
