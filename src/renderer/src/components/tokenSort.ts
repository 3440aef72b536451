import type { TokenView } from '../../../shared/model';

export type SortKey = 'name' | 'created' | 'lastUsed' | 'expires';
export interface SortOrder {
  key: SortKey;
  direction: 'ascending' | 'descending';
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** A time to sort by: no creation time sorts first, "never used" as the oldest use, "never
 * expires" as the latest expiry. */
function timeOf(token: TokenView, key: Exclude<SortKey, 'name'>): number {
  const iso = key === 'created' ? token.createdAt : key === 'lastUsed' ? token.lastUsedAt : token.expiresAt;
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isFinite(at)) return at;
  return key === 'expires' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
}

/** The tokens in the chosen order (a new array), or as the server listed them. Ties keep the
 * server's order. */
export function sortTokens(items: readonly TokenView[], order: SortOrder | null): readonly TokenView[] {
  if (!order) return items;
  const sign = order.direction === 'ascending' ? 1 : -1;
  const { key } = order;
  const compare =
    key === 'name'
      ? (a: TokenView, b: TokenView) => byName.compare(a.name, b.name)
      : (a: TokenView, b: TokenView) => {
          const x = timeOf(a, key);
          const y = timeOf(b, key);
          return x === y ? 0 : x < y ? -1 : 1;
        };
  return [...items].sort((a, b) => sign * compare(a, b));
}

/** A click on a column header: sort by it ascending, then descending, then ascending again. */
export function nextSort(current: SortOrder | null, key: SortKey): SortOrder {
  if (current?.key === key && current.direction === 'ascending') return { key, direction: 'descending' };
  return { key, direction: 'ascending' };
}
