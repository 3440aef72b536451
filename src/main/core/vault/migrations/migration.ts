/** One numbered change of the store's layout, run once on open for a file of an older layout. */
export interface Migration {
  /** The layout a file has after it; migrations run in this order, each exactly once. */
  version: number;
  name: string;
  /** The store keys it reads and may rewrite (STORE_KEYS values). */
  keys: readonly string[];
  /** The new values of the keys it changes, from their current values (never changed in place). */
  migrate(values: Record<string, unknown>): Record<string, unknown>;
}
