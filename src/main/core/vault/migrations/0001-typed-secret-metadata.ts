import { claimsFromText } from '../records';
import { isObject, secretMetaMigration, type Migration } from './migration';

/** Layout 1 → 2: a saved secret's expiry, pin and ID token claims move out of the `attributes`
 * bag of text (`expiresAt`, `pinned: 'true'`, `claims` as JSON text) into typed fields
 * (`expiresAt: string | null`, `pinned: boolean`, `claims: Claim[] | null`). Everything else in
 * `attributes` stays. An entry of a shape Keyport cannot read is left as it is: the vault sets it
 * aside as before. */
export const typedSecretMetadata: Migration = secretMetaMigration(2, 'typed secret metadata', typedMeta);

function typedMeta(meta: Record<string, unknown>): Record<string, unknown> {
  const attributes = isObject(meta.attributes) ? meta.attributes : {};
  const { expiresAt, pinned, claims, ...rest } = attributes;
  const time = typeof expiresAt === 'string' && Number.isFinite(Date.parse(expiresAt)) ? expiresAt : null;
  return { ...meta, expiresAt: time, pinned: pinned === 'true', claims: claimsFromText(typeof claims === 'string' ? claims : undefined), attributes: rest };
}
