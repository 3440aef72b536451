import { create } from 'zustand';
import { KeyportApiError, type KeyportErrorShape } from '../../shared/errors';
import type { AppStatus, ClipboardEvent, KindDescriptor, SavedSecretView, ServerView, Settings, TokenView } from '../../shared/model';
import { keyport } from './api';

export type TokensState = { status: 'idle' | 'loading' | 'ready' | 'error'; items: TokenView[]; error: KeyportErrorShape | null };

interface KeyportState {
  loaded: boolean;
  loadError: KeyportErrorShape | null;
  status: AppStatus | null;
  kinds: KindDescriptor[];
  servers: ServerView[];
  selectedId: string | null;
  tokens: Record<string, TokensState>;
  saved: SavedSecretView[];
  settings: Settings | null;
  clipboard: ClipboardEvent | null;

  load(): Promise<void>;
  select(id: string | null): void;
  putServer(server: ServerView): void;
  dropServer(id: string): void;
  refreshServers(): Promise<void>;
  /** Main's `servers.changed`: the servers again, then that server's tokens if it is still
   * signed in and its kind lists tokens. */
  serverChanged(serverId: string): Promise<void>;
  /** `password`: the account password, for kinds that list tokens with it; used for this one
   * call and not kept. */
  loadTokens(serverId: string, password?: string): Promise<void>;
  refreshSaved(): Promise<void>;
  setSettings(settings: Settings): void;
  /** New storage / lock state. Locking empties what the renderer shows. */
  setStatus(status: AppStatus): void;
  /** After unlocking: load everything again. */
  unlocked(status: AppStatus): Promise<void>;
  setClipboard(event: ClipboardEvent | null): void;
}

export const toShape = (error: unknown): KeyportErrorShape =>
  error instanceof KeyportApiError
    ? { code: error.code, message: error.message, hint: error.hint, field: error.field }
    : { code: 'INTERNAL', message: 'Something went wrong.', hint: 'Try again.' };

/** Renderer state: no secrets here, ever (ARCHITECTURE.md). Components subscribe with
 * selectors, so a change to one server re-renders only what shows it. */
export const useKeyport = create<KeyportState>((set, get) => ({
  loaded: false,
  loadError: null,
  status: null,
  kinds: [],
  servers: [],
  selectedId: null,
  tokens: {},
  saved: [],
  settings: null,
  clipboard: null,

  async load() {
    // One call for the first screen. Locked, it brings the status and the theme only.
    try {
      const { status, kinds, servers, saved, settings } = await keyport.call('app.bootstrap');
      set({ loaded: true, loadError: null, status, settings, kinds, servers, saved, tokens: {}, selectedId: status.storage.locked ? null : (get().selectedId ?? servers[0]?.id ?? null) });
    } catch (error) {
      set({ loaded: true, loadError: toShape(error) });
    }
  },

  select: (id) => set({ selectedId: id }),

  putServer(server) {
    const servers = get().servers;
    const index = servers.findIndex((s) => s.id === server.id);
    const next = index >= 0 ? servers.map((s) => (s.id === server.id ? server : s)) : [...servers, server];
    const tokens = server.session.state === 'signed-in' ? get().tokens : { ...get().tokens, [server.id]: emptyTokens };
    set({ servers: next, tokens });
  },

  dropServer(id) {
    const { servers, selectedId, tokens } = get();
    const rest = servers.filter((s) => s.id !== id);
    const { [id]: _dropped, ...otherTokens } = tokens;
    // Main removed the server's saved tokens with it (and says nothing): they leave the list here.
    const saved = get().saved.filter((s) => s.serverId !== id);
    set({ servers: rest, tokens: otherTokens, saved, selectedId: selectedId === id ? (rest[0]?.id ?? null) : selectedId });
  },

  async refreshServers() {
    set({ servers: await keyport.call('servers.list') });
  },

  async serverChanged(serverId) {
    await get().refreshServers();
    const { servers, kinds } = get();
    const server = servers.find((s) => s.id === serverId);
    // Listing a signed-out server's tokens (or a kind's that has none) can only fail.
    if (server?.session.state !== 'signed-in' || kinds.find((k) => k.kind === server.kind)?.tokenList === false) return;
    await get().loadTokens(serverId);
  },

  async loadTokens(serverId, password) {
    const previous = get().tokens[serverId] ?? emptyTokens;
    set({ tokens: { ...get().tokens, [serverId]: { ...previous, status: 'loading', error: null } } });
    try {
      const items = await keyport.call('tokens.list', password === undefined ? { serverId } : { serverId, password });
      set({ tokens: { ...get().tokens, [serverId]: { status: 'ready', items, error: null } } });
    } catch (error) {
      // A session that ended meanwhile comes as main's `servers.changed`: no reload here.
      set({ tokens: { ...get().tokens, [serverId]: { status: 'error', items: previous.items, error: toShape(error) } } });
    }
  },

  async refreshSaved() {
    set({ saved: await keyport.call('secrets.list') });
  },

  setSettings: (settings) => set({ settings }),
  setStatus(status) {
    if (status.storage.locked) set({ status, servers: [], tokens: {}, saved: [], selectedId: null, clipboard: null });
    else set({ status });
  },
  async unlocked(status) {
    set({ status });
    await get().load();
  },
  setClipboard: (clipboard) => set({ clipboard }),
}));

const emptyTokens: TokensState = { status: 'idle', items: [], error: null };

const NO_DAYS: readonly number[] = [];
/** The reminder days setting. Selects the settings object itself: a selector returning a new
 * array each time would re-render forever. */
export const useReminderDays = (): readonly number[] => useKeyport((s) => s.settings)?.reminderDays ?? NO_DAYS;

export const useSelectedServer = () => useKeyport((s) => s.servers.find((x) => x.id === s.selectedId) ?? null);
export const useKind = (kind: string | undefined) => useKeyport((s) => s.kinds.find((k) => k.kind === kind) ?? null);
