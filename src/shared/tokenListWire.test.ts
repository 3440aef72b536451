import { describe, expect, it } from 'vitest';
import type { TokenView } from './model';
import { decodeTokenList, encodeTokenList, resultToWire, valueFromWire } from './tokenListWire';

const view = (over: Partial<TokenView>): TokenView => ({
  id: 'id',
  name: 'name',
  createdAt: null,
  lastUsedAt: null,
  expiresAt: null,
  scopes: null,
  extra: {},
  savedSecretId: null,
  usedBySession: false,
  ...over,
});

/** Through the structured clone, as Electron's IPC sends it. */
const acrossIpc = <T>(value: T): T => structuredClone(value);

describe('the compact token list', () => {
  it('comes back as the same list, whatever the tokens hold', () => {
    const tokens: TokenView[] = [
      view({ id: 'gpu-node-00042', name: 'gpu-node-00042', createdAt: '2026-01-02T03:04:05.000Z', savedSecretId: '3f1c3a4e-0000-4000-8000-000000000000' }),
      view({ id: 'k-1', name: '', lastUsedAt: '', expiresAt: '2026-12-31', scopes: [], usedBySession: true }),
      view({ id: '', name: 'empty id', scopes: ['read', 'write', ''] }),
      view({ id: 'npm', name: 'ci ✓ 🔑 \u0000 "quoted" \\ line\nbreak', extra: { token: 'npm_abc…xyz', access: 'Read-only', reach: 'All packages', cidr: 'Any address', key: 'k' } }),
      view({ id: 'x', name: 'x', extra: { bypass2fa: 'Bypasses two-factor', key: '' } }),
      view({ id: 'same', name: 'same', scopes: ['a'] }),
    ];
    expect(decodeTokenList(acrossIpc(encodeTokenList(tokens)))).toEqual(tokens);
    expect(decodeTokenList(acrossIpc(encodeTokenList([])))).toEqual([]);
  });

  it('keeps null and empty apart, and an absent extra absent', () => {
    const [a, b] = decodeTokenList(encodeTokenList([view({ createdAt: '', extra: { only: 'here' } }), view({ createdAt: null })]));
    expect(a?.createdAt).toBe('');
    expect(b?.createdAt).toBeNull();
    expect(a?.extra).toEqual({ only: 'here' });
    expect(b?.extra).toEqual({});
    expect(Object.keys(b?.extra ?? {})).toEqual([]);
  });

  it('holds a 10,000-token list in a few values, so the clone copies bytes rather than 10,000 objects', () => {
    const tokens = Array.from({ length: 10_000 }, (_, i) => view({ id: `t${i}`, name: `t${i}`, createdAt: '2026-01-02T03:04:05.000Z', savedSecretId: `s${i}` }));
    const wire = encodeTokenList(tokens);
    expect(Object.keys(wire).sort()).toEqual(['count', 'extraKeys', 'format', 'lengths', 'scopeCounts', 'text', 'usedBySession']);
    expect(typeof wire.text).toBe('string');
    for (const column of [wire.lengths, wire.scopeCounts, wire.usedBySession]) expect(ArrayBuffer.isView(column)).toBe(true);
    expect(decodeTokenList(acrossIpc(wire))).toEqual(tokens);
  });

  it('refuses anything that is not a whole encoded list', () => {
    const wire = encodeTokenList([view({ name: 'abc', id: 'def' })]);
    expect(() => decodeTokenList([] as never)).toThrow('expected form');
    expect(() => decodeTokenList({ ...wire, text: `${wire.text}!` })).toThrow('expected form');
    expect(() => decodeTokenList({ ...wire, lengths: wire.lengths.subarray(0, 3) })).toThrow();
  });

  it('only tokens.list is encoded, and only a success', () => {
    const tokens = [view({})];
    expect(valueFromWire('tokens.list', resultToWire('tokens.list', { ok: true, value: tokens }).value)).toEqual(tokens);
    const failure = { ok: false, error: { code: 'NOT_FOUND', message: 'gone' } };
    expect(resultToWire('tokens.list', failure)).toBe(failure);
    const other = { ok: true, value: tokens };
    expect(resultToWire('servers.list', other)).toBe(other);
    expect(valueFromWire('servers.list', tokens)).toBe(tokens);
  });
});
