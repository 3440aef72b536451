import { isObject, secretMetaMigration, type Migration } from './migration';

const FORMATS: ReadonlySet<unknown> = new Set(['npmrc', 'env', 'plain', 'session-file']);

/** Layout 2 → 3: a saved token's delivery targets, the replacement of a token being rotated and
 * the create settings it was made with move out of the `attributes` bag of text
 * (`deliveryTargets`, `rotatedTo`, `createdWith`, the first and last as JSON text) into typed
 * fields (`deliveryTargets: DeliveryTarget[]`, `rotatedTo: string | null`,
 * `createdWith: Record<string, string> | null`). What the delivery service read before is what
 * is kept: a damaged list or setting becomes none, a target it skipped is dropped, a target's
 * missing optional facts (port, user, last delivery, hash) become null. Everything else in
 * `attributes` stays; an entry of a shape Keyport cannot read is left as it is. */
export const typedDeliveryMetadata: Migration = secretMetaMigration(3, 'typed delivery metadata', typedMeta);

function typedMeta(meta: Record<string, unknown>): Record<string, unknown> {
  const attributes = isObject(meta.attributes) ? meta.attributes : {};
  const { deliveryTargets, rotatedTo, createdWith, ...rest } = attributes;
  return {
    ...meta,
    deliveryTargets: targetsFrom(parsedJson(deliveryTargets)),
    rotatedTo: typeof rotatedTo === 'string' && rotatedTo !== '' ? rotatedTo : null,
    createdWith: settingsFrom(parsedJson(createdWith)),
    attributes: rest,
  };
}

function targetsFrom(value: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(value)) return [];
  return value.filter((t): t is Record<string, unknown> => isObject(t) && typeof t.id === 'string' && typeof t.host === 'string' && typeof t.path === 'string' && FORMATS.has(t.format)).map((t) => ({
    id: t.id,
    host: t.host,
    port: typeof t.port === 'number' && Number.isFinite(t.port) ? t.port : null,
    user: textOrNull(t.user),
    path: t.path,
    format: t.format,
    lastDeliveredAt: textOrNull(t.lastDeliveredAt),
    sha256: textOrNull(t.sha256),
  }));
}

function settingsFrom(value: unknown): Record<string, string> | null {
  if (!isObject(value)) return null;
  const settings = Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return Object.keys(settings).length > 0 ? settings : null;
}

function parsedJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);
