// Writes the vault fixtures of src/main/core/vault/migrations/fixtures/ with the code of the
// release that is current when it runs: `node --experimental-strip-types --import
// ./bench/resolveTs.mjs scripts/make-vault-fixture.ts`. Run once per release whose format the
// migrations must keep opening; the committed files are what a person's disk holds. The 0.1.0
// files were written before the typed-metadata change (commit a9aafc6); run with later code it
// writes that code's layout, so name the output after the release it is run for.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../src/main/core/audit/auditLog';
import { createAesCipher, createUnavailableCipher } from '../src/main/core/vault/aesCipher';
import { Vault } from '../src/main/core/vault/vault';
import { openVaultFile } from '../src/main/core/vault/vaultFile';
import type { ServerRecord } from '../src/main/core/vault/records';

const dir = 'src/main/core/vault/migrations/fixtures';
/** Not a secret: the fixture's made-up AES key and passphrase, so the test can decrypt it. */
const KEY = Buffer.alloc(32, 7);
const PASSPHRASE = 'fixture passphrase';
const SCRYPT = { N: 1024, r: 8, p: 1 };
const logger = { warn: () => undefined, error: () => undefined };
const at = (day: number) => `2026-0${day < 10 ? 1 : 2}-${String((day % 9) + 10)}T10:00:00.000Z`;

async function fill(vault: Vault, store: ReturnType<typeof openVaultFile>): Promise<void> {
  const servers: ServerRecord[] = [
    { id: 'srv-eds', name: 'Enthought', kind: 'eds', url: 'https://eds.example.com', allowInsecureTls: false, caCertificatePath: null, options: {}, createdAt: at(1) },
    { id: 'srv-oidc', name: 'Company SSO', kind: 'oidc', url: 'https://sso.example.com/realms/a', allowInsecureTls: false, caCertificatePath: '/etc/ssl/company.pem', options: { clientId: 'keyport' }, createdAt: at(2) },
    { id: 'srv-tapis', name: 'Tapis', kind: 'tapis3', url: 'https://tacc.tapis.io', allowInsecureTls: true, caCertificatePath: null, options: { tenantId: 'tacc' }, createdAt: at(3) },
  ];
  for (const s of servers) vault.putServer(s);
  const secret = (id: string, serverId: string, purpose: 'api-token' | 'session' | 'credential' | 'password' | 'server-setting', name: string, attributes: Record<string, string>) => ({
    meta: { id, serverId, purpose, name, savedAt: at(4), attributes },
    value: `value of ${id}`,
  });
  await vault.putSecrets([
    secret('sec-eds-session', 'srv-eds', 'session', 'session', { method: 'password', userName: 'alice', userEmail: 'alice@example.com', issuedAt: at(4) }),
    secret('sec-eds-password', 'srv-eds', 'password', 'account password', { username: 'alice' }),
  ]);
  await vault.putSecret(secret('sec-eds-tok1', 'srv-eds', 'api-token', 'laptop', { tokenId: 'laptop', tokenCreatedAt: at(5), expiresAt: '2027-03-01T00:00:00.000Z', pinned: 'true' }).meta, 'value of sec-eds-tok1');
  await vault.putSecret(secret('sec-eds-tok2', 'srv-eds', 'api-token', 'ci-runner', { tokenId: 'ci-runner', gone: 'true' }).meta, 'value of sec-eds-tok2');
  await vault.putSecret(secret('sec-eds-tok3', 'srv-eds', 'api-token', 'build', { tokenId: 'build', expiresAt: '2026-12-31T23:59:59.000Z', pinned: 'true', deliveryTargets: JSON.stringify([{ id: 'tgt-1', host: 'ci.example.com', port: 22, user: 'deploy', path: '/home/deploy/.env', format: 'env' }]) }).meta, 'value of sec-eds-tok3');
  await vault.putSecrets([
    secret('sec-oidc-session', 'srv-oidc', 'session', 'session', {
      method: 'browser', userName: 'bob', expiresAt: '2026-02-15T10:05:00.000Z', issuedAt: at(6), scope: 'openid profile offline_access',
      claims: JSON.stringify([['sub', 'bob-1'], ['email_verified', 'true']]),
    }),
    secret('sec-oidc-credential', 'srv-oidc', 'credential', 'sign-in credential', {}),
    secret('sec-oidc-client-secret', 'srv-oidc', 'server-setting', 'clientSecret', {}),
  ]);
  await vault.putSecrets([
    secret('sec-tapis-session', 'srv-tapis', 'session', 'session', { method: 'password', userName: 'carol', expiresAt: '2026-02-16T14:00:00.000Z', issuedAt: at(7), clientId: 'keyport-carol', tenantId: 'tacc', dependsOn: 'keyport-carol' }),
    secret('sec-tapis-client', 'srv-tapis', 'api-token', 'keyport-carol', { tokenId: 'keyport-carol', key: 'client-key-carol', sessionClient: 'true' }),
  ]);
  vault.updateSettings({ clipboardClearSeconds: 45, theme: 'dark', reminderDays: [14, 3], defaultCopyFormats: { eds: 'env' } });
  const audit = new AuditLog(store, () => new Date(at(8)));
  audit.record({ id: 'srv-eds', name: 'Enthought', kind: 'eds' }, 'token.created', 'laptop', null);
  audit.record({ id: 'srv-oidc', name: 'Company SSO', kind: 'oidc' }, 'session.copied', 'session', 'env');
  store.set('remindersSent', { 'sec-eds-tok3@1798761599000:30': at(9) });
}

async function main(): Promise<void> {
  const osPath = join(dir, 'vault-0.1.0-keyring.log');
  rmSync(osPath, { force: true });
  const osStore = openVaultFile(osPath);
  await fill(new Vault(osStore, createAesCipher(KEY, 'fixture key'), logger), osStore);
  await osStore.settled();
  osStore.close();

  const ppPath = join(dir, 'vault-0.1.0-passphrase.log');
  rmSync(ppPath, { force: true });
  const ppStore = openVaultFile(ppPath);
  const vault = new Vault(ppStore, createUnavailableCipher('basic_text', 'no keyring'), logger, { scryptCost: SCRYPT });
  await vault.usePassphrase(PASSPHRASE);
  await fill(vault, ppStore);
  await ppStore.settled();
  ppStore.close();
}

await main();
