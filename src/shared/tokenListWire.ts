import type { TokenView } from './model';

/** `tokens.list` as it crosses from the main process to the window. A list of 10,000 token
 * objects costs 10–25 ms to structured-clone (Electron IPC, then contextBridge), most of it one
 * allocation per object and per string; here every string of the list is one text and the rest
 * typed arrays, which clone as plain bytes. `decodeTokenList` gives back the same TokenView[].
 * Nothing here is a secret or comes unchecked from a server: it is the core's own answer. */
export interface TokenListWire {
  readonly format: typeof TOKEN_LIST_FORMAT;
  readonly count: number;
  /** Every string of every token, one after another. */
  readonly text: string;
  /** One slot per string, in the order decodeTokenList reads them: its length in `text`, NULL
   * for null (or an absent extra value), SAME_AS_NAME for an id equal to the token's name. Per
   * token: name, id, createdAt, lastUsedAt, expiresAt, savedSecretId, then one slot per key of
   * `extraKeys`, then its scopes. */
  readonly lengths: Int32Array;
  /** Per token: how many scopes it has, or -1 for none (null). */
  readonly scopeCounts: Int32Array;
  /** Per token: 1 when Keyport's session uses it. */
  readonly usedBySession: Uint8Array;
  /** Every key of `extra` used in the list. */
  readonly extraKeys: readonly string[];
}

export const TOKEN_LIST_FORMAT = 'keyport.tokens/1';
const NULL = -1;
const SAME_AS_NAME = -2;
const FIXED_SLOTS = 6;

export function encodeTokenList(tokens: readonly TokenView[]): TokenListWire {
  const keyIndex = new Map<string, number>();
  let scopeTotal = 0;
  for (const t of tokens) {
    for (const key in t.extra) if (!keyIndex.has(key)) keyIndex.set(key, keyIndex.size);
    if (t.scopes !== null) scopeTotal += t.scopes.length;
  }
  const extraKeys = [...keyIndex.keys()];
  const lengths = new Int32Array(tokens.length * (FIXED_SLOTS + extraKeys.length) + scopeTotal);
  const scopeCounts = new Int32Array(tokens.length);
  const usedBySession = new Uint8Array(tokens.length);
  // Appended with +=: V8 joins the pieces once, when the text is first read (by the clone).
  let text = '';
  let k = 0;
  const put = (s: string | null | undefined): void => {
    if (s === null || s === undefined) {
      lengths[k++] = NULL;
    } else {
      text += s;
      lengths[k++] = s.length;
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as TokenView;
    put(t.name);
    if (t.id === t.name) lengths[k++] = SAME_AS_NAME;
    else put(t.id);
    put(t.createdAt);
    put(t.lastUsedAt);
    put(t.expiresAt);
    put(t.savedSecretId);
    for (const key of extraKeys) put(t.extra[key]);
    if (t.scopes === null) scopeCounts[i] = -1;
    else {
      scopeCounts[i] = t.scopes.length;
      for (const scope of t.scopes) put(scope);
    }
    if (t.usedBySession) usedBySession[i] = 1;
  }
  return { format: TOKEN_LIST_FORMAT, count: tokens.length, text, lengths, scopeCounts, usedBySession, extraKeys };
}

export function decodeTokenList(wire: TokenListWire): TokenView[] {
  if (wire?.format !== TOKEN_LIST_FORMAT) throw new Error('The token list did not come in the expected form.');
  const { count, text, lengths, scopeCounts, usedBySession, extraKeys } = wire;
  const tokens = new Array<TokenView>(count);
  let k = 0;
  let at = 0;
  const next = (): string | null => {
    const length = lengths[k++] as number;
    if (length < 0) return null;
    const s = text.slice(at, at + length);
    at += length;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = next() as string;
    let id: string;
    if (lengths[k] === SAME_AS_NAME) {
      k += 1;
      id = name;
    } else {
      id = next() as string;
    }
    const createdAt = next();
    const lastUsedAt = next();
    const expiresAt = next();
    const savedSecretId = next();
    const extra: Record<string, string> = {};
    for (const key of extraKeys) {
      const value = next();
      if (value !== null) extra[key] = value;
    }
    const scopeCount = scopeCounts[i] as number;
    let scopes: string[] | null = null;
    if (scopeCount >= 0) {
      scopes = new Array<string>(scopeCount);
      for (let s = 0; s < scopeCount; s++) scopes[s] = next() as string;
    }
    tokens[i] = { id, name, createdAt, lastUsedAt, expiresAt, scopes, extra, savedSecretId, usedBySession: usedBySession[i] === 1 };
  }
  if (k !== lengths.length || at !== text.length) throw new Error('The token list did not come in the expected form.');
  return tokens;
}

/** What a transport (Electron IPC, the browser host) sends for a procedure's result: the token
 * list in its compact form, anything else as it is. */
export function resultToWire<R extends { ok: boolean; value?: unknown }>(procedure: string, result: R): R {
  if (procedure !== 'tokens.list' || !result.ok) return result;
  return { ...result, value: encodeTokenList(result.value as TokenView[]) };
}

/** The other end, in the window's client: back to the value the contract names. */
export function valueFromWire(procedure: string, value: unknown): unknown {
  return procedure === 'tokens.list' ? decodeTokenList(value as TokenListWire) : value;
}
