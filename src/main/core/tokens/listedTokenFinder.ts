import type { ProviderToken } from '../providers/provider';

/** How far past the last match a saved copy's token is looked for before the whole list is
 * mapped by id: a few tokens made elsewhere (not saved in Keyport) between two saved ones. */
const LOOK_AHEAD = 8;

/** Finds listed tokens by id, for saved copies asked for in the order they were saved. Servers
 * list tokens in the order they were made, which is the order their copies were saved in, so
 * the next token is tried first, then the few after it; only a copy out of that order makes the
 * map of every listed id (hashing 10,000 ids cost more than the rest of the match). */
export function listedTokenFinder(listed: readonly ProviderToken[]): { find: (id: string) => number | undefined; mapped: () => boolean } {
  let next = 0;
  let byId: Map<string, number> | null = null;
  const find = (id: string): number | undefined => {
    const end = Math.min(next + LOOK_AHEAD, listed.length);
    for (let i = next; i < end; i++) {
      if ((listed[i] as ProviderToken).id === id) {
        next = i + 1;
        return i;
      }
    }
    if (byId === null) {
      byId = new Map();
      // The first of equal ids, as the walk above finds it.
      for (let i = listed.length - 1; i >= 0; i--) byId.set((listed[i] as ProviderToken).id, i);
    }
    const index = byId.get(id);
    if (index !== undefined) next = index + 1;
    return index;
  };
  return { find, mapped: () => byId !== null };
}
