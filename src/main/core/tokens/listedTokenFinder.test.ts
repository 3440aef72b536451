import { describe, expect, it } from 'vitest';
import type { ProviderToken } from '../providers/provider';
import { listedTokenFinder } from './listedTokenFinder';

const token = (id: string): ProviderToken => ({ id, name: id, createdAt: null, lastUsedAt: null, expiresAt: null, scopes: null });

describe('listedTokenFinder (saved copies matched with the listed tokens)', () => {
  it('finds every id, in any order of asking, in lists with gaps, duplicates and missing ids', () => {
    let seed = 11;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const listed = Array.from({ length: next(40) }, () => token(`t${next(30)}`));
      const { find } = listedTokenFinder(listed);
      // In list order with some skipped (the usual case), then at random, then ids not listed.
      const asked = [...listed.filter(() => next(3) > 0).map((t) => t.id), ...Array.from({ length: 10 }, () => `t${next(35)}`)];
      for (const id of asked) {
        const index = find(id);
        if (listed.some((t) => t.id === id)) expect(listed[index as number]?.id, `round ${round}, ${id}`).toBe(id);
        else expect(index, `round ${round}, ${id}`).toBeUndefined();
      }
    }
  });

  it('matches 10,000 copies saved in list order without mapping the list, and one out of order with the map', () => {
    const listed = Array.from({ length: 10_000 }, (_, i) => token(`token-${i}`));
    // Unsaved tokens between saved ones are stepped over.
    const { find, mapped } = listedTokenFinder(listed);
    for (let i = 0; i < 10_000; i += 1 + (i % 7)) expect(find(`token-${i}`)).toBe(i);
    expect(mapped()).toBe(false);
    expect(find('token-5')).toBe(5);
    expect(mapped()).toBe(true);
    expect(find('token-6')).toBe(6);
    expect(find('gone')).toBeUndefined();
  });
});
