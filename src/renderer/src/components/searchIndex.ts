import type { KindDescriptor, SavedSecretView, ServerView, TokenView } from '../../../shared/model';

/** One thing the search palette can find. */
export type SearchResult =
  | { type: 'server'; id: string; server: ServerView; title: string; detail: string }
  /** A token saved in Keyport: Enter copies it. */
  | { type: 'saved'; id: string; server: ServerView; secretId: string; title: string; detail: string }
  /** A token of a server's list that Keyport does not hold: Enter shows its server. */
  | { type: 'token'; id: string; server: ServerView; title: string; detail: string };

export const MAX_RESULTS = 50;

interface Sources {
  servers: ServerView[];
  kinds: KindDescriptor[];
  saved: SavedSecretView[];
  tokens: Record<string, { items: TokenView[] } | undefined>;
}

/** Servers by name, kind, URL and signed-in user; tokens by their name and their server's.
 * Every word of the query must appear somewhere (case- and accent-insensitive); names that
 * start with the query come first. */
export function search(query: string, sources: Sources): SearchResult[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const kindLabel = (kind: string) => sources.kinds.find((k) => k.kind === kind)?.label ?? kind;
  const candidates: Array<{ result: SearchResult; haystack: string }> = [];
  const byId = new Map(sources.servers.map((s) => [s.id, s]));
  for (const server of sources.servers) {
    const user = server.session.state === 'signed-in' ? server.session.user : null;
    const status = user ? `signed in as ${user.name}` : server.session.state === 'expired' ? 'sign in again' : 'signed out';
    candidates.push({
      result: { type: 'server', id: `server:${server.id}`, server, title: server.name, detail: `${kindLabel(server.kind)} · ${status}` },
      haystack: [server.name, kindLabel(server.kind), server.kind, server.url, user?.name, user?.email].filter(Boolean).join(' '),
    });
  }
  const savedNames = new Set<string>();
  for (const secret of sources.saved) {
    const server = byId.get(secret.serverId);
    if (!server) continue;
    savedNames.add(`${server.id}\n${secret.name}`);
    candidates.push({
      result: { type: 'saved', id: `saved:${secret.id}`, server, secretId: secret.id, title: secret.name, detail: `${server.name} · saved in Keyport` },
      haystack: [secret.name, server.name].join(' '),
    });
  }
  for (const server of sources.servers) {
    for (const token of sources.tokens[server.id]?.items ?? []) {
      if (savedNames.has(`${server.id}\n${token.name}`)) continue;
      candidates.push({
        result: { type: 'token', id: `token:${server.id}:${token.id}`, server, title: token.name, detail: `${server.name} · on the server` },
        haystack: [token.name, server.name].join(' '),
      });
    }
  }
  if (words.length === 0) return candidates.slice(0, MAX_RESULTS).map((c) => c.result);
  const matches = candidates.filter((c) => {
    const haystack = fold(c.haystack);
    return words.every((w) => haystack.includes(w));
  });
  const first = words[0] ?? '';
  const starts = (c: (typeof matches)[number]) => (fold(c.result.title).startsWith(first) ? 0 : 1);
  // A stable sort keeps servers before tokens within each group.
  return matches
    .sort((a, b) => starts(a) - starts(b))
    .slice(0, MAX_RESULTS)
    .map((c) => c.result);
}

/** Lower case without accents, so "cafe" finds "Café". */
const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
