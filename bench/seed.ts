import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../src/main/core/ports';
import { createAesCipher } from '../src/main/core/vault/aesCipher';
import { STORE_VERSION } from '../src/main/core/vault/migrations/index';
import type { ServerRecord, StoredSecret } from '../src/main/core/vault/records';
import type { EdsServer } from '../test/servers/eds/edsServer';

export const LARGE_SERVERS = 200;
export const LARGE_TOKENS = 10_000;
export const SMALL_TOKENS = 20;

const WORDS = ['laptop', 'build-server', 'ci-runner', 'staging', 'prod-deploy', 'notebook', 'gpu-node', 'backup'] as const;
/** Token names as people give them: a machine, then a number ("gpu-node-00042"). */
export const tokenName = (i: number): string => `${WORDS[i % WORDS.length]}-${String(i).padStart(5, '0')}`;
export const tokenNames = (count: number): string[] => Array.from({ length: count }, (_, i) => tokenName(i));

export function serverRecord(name: string, url: string): ServerRecord {
  return { id: randomUUID(), name, kind: 'eds', url, allowInsecureTls: false, caCertificatePath: null, options: {}, createdAt: new Date().toISOString() };
}

/** A token value shaped like EDS's (a JWT): what a saved token costs in the vault. */
const fakeTokenValue = (): string => `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;

/** Saved copies of `names` for `server`, encrypted with the core's AES cipher, keyed as the
 * vault keys them (the EDS token id is its name). */
export async function savedTokenSecrets(key: Buffer, server: ServerRecord, names: readonly string[]): Promise<Record<string, StoredSecret>> {
  const cipher = createAesCipher(key, 'aes-256-gcm (bench key)');
  const secrets: Record<string, StoredSecret> = {};
  const savedAt = new Date().toISOString();
  for (const name of names) {
    const id = randomUUID();
    secrets[id] = {
      meta: { id, serverId: server.id, purpose: 'api-token', name, savedAt, expiresAt: null, pinned: false, claims: null, deliveryTargets: [], rotatedTo: null, createdWith: null, attributes: { tokenId: name } },
      ciphertext: await cipher.encrypt(fakeTokenValue()),
    };
  }
  return secrets;
}

/** Writes a whole vault in one atomic write, in the layout src/main/core/vault/vault.ts reads
 * (and validates with its zod schemas on open). Writing 10,000 secrets one putSecret at a time
 * would rewrite the growing file 10,000 times. */
export function writeVault(store: KeyValueStore, servers: readonly ServerRecord[], secrets: Record<string, StoredSecret>): void {
  store.setMany({ version: STORE_VERSION, servers, secrets });
}

/** The large vault: 200 servers, the first holding 10,000 saved tokens (every token alice has
 * on `eds`), the second for bob's 20 tokens, the rest signed out. */
export async function largeVault(key: Buffer, eds: EdsServer): Promise<{ servers: ServerRecord[]; secrets: Record<string, StoredSecret> }> {
  const servers = [serverRecord('Enthought (10,000 tokens)', eds.url), serverRecord('Enthought (20 tokens)', eds.url)];
  for (let i = servers.length; i < LARGE_SERVERS; i++) servers.push(serverRecord(`Server ${String(i + 1).padStart(3, '0')}`, eds.url));
  const secrets = await savedTokenSecrets(key, servers[0] as ServerRecord, tokenNames(LARGE_TOKENS));
  return { servers, secrets };
}

/** Seeds the reference server: alice gets the 10,000 tokens, bob 20. */
export function seedEds(eds: EdsServer): void {
  for (const name of tokenNames(LARGE_TOKENS)) eds.createApiToken('alice', name);
  for (const name of tokenNames(SMALL_TOKENS)) eds.createApiToken('bob', name);
}
