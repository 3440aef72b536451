import { describe, expect, it } from 'vitest';
import type { TokenView } from '../../../shared/model';
import { nextSort, sortTokens } from './tokenSort';

const token = (name: string, createdAt: string | null, lastUsedAt: string | null, expiresAt: string | null): TokenView => ({
  id: name,
  name,
  createdAt,
  lastUsedAt,
  expiresAt,
  scopes: null,
  extra: {},
  savedSecretId: null,
  usedBySession: false,
});
const A = token('build-10', '2026-01-03T00:00:00Z', null, null);
const B = token('build-9', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-06-01T00:00:00Z');
const C = token('Alpha', null, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z');
const names = (list: readonly TokenView[]) => list.map((t) => t.name);

describe('sortTokens', () => {
  it('keeps the server order without a choice', () => {
    expect(sortTokens([A, B, C], null)).toEqual([A, B, C]);
  });
  it('sorts names as people read them: case-blind, numbers by value', () => {
    expect(names(sortTokens([A, B, C], { key: 'name', direction: 'ascending' }))).toEqual(['Alpha', 'build-9', 'build-10']);
    expect(names(sortTokens([A, B, C], { key: 'name', direction: 'descending' }))).toEqual(['build-10', 'build-9', 'Alpha']);
  });
  it('puts "never used" oldest and "never expires" last', () => {
    expect(names(sortTokens([A, B, C], { key: 'lastUsed', direction: 'ascending' }))).toEqual(['build-10', 'build-9', 'Alpha']);
    expect(names(sortTokens([A, B, C], { key: 'expires', direction: 'ascending' }))).toEqual(['Alpha', 'build-9', 'build-10']);
    expect(names(sortTokens([A, B, C], { key: 'created', direction: 'descending' }))).toEqual(['build-10', 'build-9', 'Alpha']);
  });
});

describe('nextSort', () => {
  it('goes ascending, then descending, and starts ascending on a new column', () => {
    const first = nextSort(null, 'name');
    expect(first).toEqual({ key: 'name', direction: 'ascending' });
    expect(nextSort(first, 'name')).toEqual({ key: 'name', direction: 'descending' });
    expect(nextSort({ key: 'name', direction: 'descending' }, 'name')).toEqual({ key: 'name', direction: 'ascending' });
    expect(nextSort(first, 'expires')).toEqual({ key: 'expires', direction: 'ascending' });
  });
});
