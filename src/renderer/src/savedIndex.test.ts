import { describe, expect, it } from 'vitest';
import type { SavedSecretView } from '../../shared/model';
import { savedById } from './savedIndex';

const secret = (id: string, pinned = false): SavedSecretView => ({ id, serverId: 's', name: id, savedAt: '', expiresAt: null, pinned });

describe('savedById', () => {
  it('finds each saved token by its id, and nothing for an id it does not hold', () => {
    const saved = [secret('a'), secret('b', true)];
    expect(savedById(saved).get('b')).toBe(saved[1]);
    expect(savedById(saved).get('a')?.pinned).toBe(false);
    expect(savedById(saved).get('c')).toBeUndefined();
  });

  it('builds the index once per list', () => {
    const saved = [secret('a')];
    expect(savedById(saved)).toBe(savedById(saved));
  });

  it('indexes a new list anew: a pin or a removal shows at once', () => {
    const before = [secret('a'), secret('b')];
    expect(savedById(before).get('a')?.pinned).toBe(false);
    // The store replaces the array on every change, as it does after secrets.list.
    const after = [secret('a', true)];
    expect(savedById(after).get('a')?.pinned).toBe(true);
    expect(savedById(after).has('b')).toBe(false);
    expect(savedById(before).has('b')).toBe(true);
  });
});
