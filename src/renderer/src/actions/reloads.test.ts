// One change, one reload: the store's actions reload nothing main announces, and main's events
// (`secrets.changed`, `servers.changed`) reload the saved list and the servers exactly once.
// The window's API is a fake that answers as main does (events sent during the call, before
// or after its answer arrives) and counts every call.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyportApi } from '../../../shared/api';
import type { EventName, ProcedureName } from '../../../shared/contract';
import type { WireResult } from '../../../shared/errors';
import type { AppStatus, KindDescriptor, ServerView, SessionView } from '../../../shared/model';

type Handler = (input: unknown) => unknown;

/** Main, as far as these actions see it. `eventsArrive` is when an event sent during a call
 * reaches the window: before its answer (Electron sends both down one pipe, event first) or
 * after it. */
class FakeMain {
  calls: string[] = [];
  eventsArrive: 'before-answer' | 'after-answer' = 'before-answer';
  handlers = new Map<string, Handler>();
  private listeners = new Map<string, Set<(payload: unknown) => void>>();
  pending: Array<() => void> = [];

  readonly api: KeyportApi = {
    procedures: [],
    invoke: async (procedure: ProcedureName, input?: unknown): Promise<WireResult<unknown>> => {
      this.calls.push(procedure);
      const handler = this.handlers.get(procedure);
      const result: WireResult<unknown> = handler ? { ok: true, value: handler(input) } : { ok: false, error: { code: 'INTERNAL', message: `No answer for ${procedure}.` } };
      await Promise.resolve();
      if (this.eventsArrive === 'before-answer') this.flushEvents();
      else setTimeout(() => this.flushEvents(), 0);
      return result;
    },
    on: (event: EventName, listener: (payload: unknown) => void) => {
      const set = this.listeners.get(event) ?? new Set();
      set.add(listener);
      this.listeners.set(event, set);
      return () => set.delete(listener);
    },
  };

  /** Called by a handler: the event goes out with the call's answer. */
  emit(event: EventName, payload: unknown): void {
    this.pending.push(() => this.listeners.get(event)?.forEach((listener) => listener(payload)));
  }

  private flushEvents(): void {
    const due = this.pending;
    this.pending = [];
    due.forEach((send) => send());
  }

  count(procedure: ProcedureName): number {
    return this.calls.filter((c) => c === procedure).length;
  }
}

const main = new FakeMain();
vi.stubGlobal('window', { keyport: main.api });

// Loaded after `window.keyport` exists, as in the window.
let store: typeof import('../store');
let events: typeof import('./events');
let tokens: typeof import('./tokens');
let signIn: typeof import('./signIn');
let servers: typeof import('./servers');
let saved: typeof import('./saved');
let storage: typeof import('./storage');
beforeAll(async () => {
  storage = await import('./storage');
  store = await import('../store');
  events = await import('./events');
  tokens = await import('./tokens');
  signIn = await import('./signIn');
  servers = await import('./servers');
  saved = await import('./saved');
});

const signedIn: SessionView = { state: 'signed-in', user: { name: 'ada' }, method: 'password', signedInAt: '2026-01-01T00:00:00Z', persisted: true, expiresAt: null, dependsOn: null, passwordRemembered: false };
const server = (session: SessionView, kind = 'eds'): ServerView => ({ id: 's1', name: 'Packages', kind, url: 'https://packages.example', allowInsecureTls: false, caCertificatePath: null, options: {}, createdAt: '2026-01-01T00:00:00Z', session });
const kind = (name: string, tokenList: boolean) => ({ kind: name, tokenList }) as unknown as KindDescriptor;
const savedToken = { id: 'saved-1', serverId: 's1', name: 'ci', savedAt: '2026-01-01T00:00:00Z', expiresAt: null, pinned: false, goneFromServer: false };

/** Lets every answer, event and reload they start run to its end (bounded). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
}

let stopListening: () => void = () => undefined;
beforeEach(() => {
  main.calls = [];
  main.pending = [];
  main.eventsArrive = 'before-answer';
  main.handlers.clear();
  main.handlers.set('servers.list', () => [server(signedIn)]);
  main.handlers.set('secrets.list', () => [savedToken]);
  main.handlers.set('tokens.list', () => []);
  store.useKeyport.setState({ loaded: true, servers: [server(signedIn)], kinds: [kind('eds', true), kind('oidc', false)], saved: [savedToken], tokens: {}, selectedId: 's1' });
  stopListening = events.listenToMain(() => undefined);
});
afterEach(() => stopListening());

describe.each(['before-answer', 'after-answer'] as const)('with events arriving %s', (timing) => {
  beforeEach(() => {
    main.eventsArrive = timing;
  });

  it('a revoke of a saved token reloads the saved list once and the token list once, the servers never', async () => {
    main.handlers.set('tokens.revoke', () => {
      main.emit('secrets.changed', {});
      return { signedOut: false };
    });
    await tokens.revokeToken({ serverId: 's1', tokenId: 'ci' });
    await settle();
    expect([main.count('secrets.list'), main.count('tokens.list'), main.count('servers.list')]).toEqual([1, 1, 0]);
  });

  it('a revoke that signs Keyport out reloads the servers once and lists no tokens of the signed-out server', async () => {
    main.handlers.set('servers.list', () => [server({ state: 'signed-out' })]);
    main.handlers.set('tokens.revoke', () => {
      main.emit('secrets.changed', {});
      main.emit('servers.changed', { serverId: 's1' });
      return { signedOut: true };
    });
    await tokens.revokeToken({ serverId: 's1', tokenId: 'keyport-client' });
    await settle();
    expect([main.count('servers.list'), main.count('secrets.list'), main.count('tokens.list')]).toEqual([1, 1, 0]);
    expect(store.useKeyport.getState().servers[0]?.session.state).toBe('signed-out');
  });

  it('a create that saves reloads the saved list once and the token list once (with the password given)', async () => {
    main.handlers.set('tokens.create', () => {
      main.emit('secrets.changed', {});
      return { token: { id: 't', name: 'ci' }, secret: 'value', identifier: null, secretId: 'saved-2', saved: true };
    });
    let listedWith: unknown;
    main.handlers.set('tokens.list', (input) => {
      listedWith = input;
      return [];
    });
    await tokens.createToken({ serverId: 's1', name: 'ci', save: true, password: 'account password' });
    await settle();
    expect([main.count('secrets.list'), main.count('tokens.list'), main.count('servers.list')]).toEqual([1, 1, 0]);
    expect(listedWith).toEqual({ serverId: 's1', password: 'account password' });
  });

  it('a sign-in puts main’s answer in the store and lists the tokens once, reloading nothing else', async () => {
    store.useKeyport.setState({ servers: [server({ state: 'signed-out' })] });
    main.handlers.set('auth.signInWithPassword', () => server(signedIn));
    await signIn.signInWithPassword({ serverId: 's1', username: 'ada', password: 'pw' });
    await settle();
    expect([main.count('tokens.list'), main.count('servers.list'), main.count('secrets.list')]).toEqual([1, 0, 0]);
    expect(store.useKeyport.getState().servers[0]?.session.state).toBe('signed-in');
  });

  it('choosing a passphrase reloads nothing: the session panel reads where secrets are kept from the new status', async () => {
    const status = (persistent: boolean) => ({ version: '1', storage: { persistent, locked: false, mode: persistent ? 'passphrase' : 'session', backend: 'x' }, lock: {}, unreadableItems: 0 }) as unknown as AppStatus;
    store.useKeyport.setState({ status: status(false) });
    main.handlers.set('storage.usePassphrase', () => {
      main.emit('app.status', status(true));
      return status(true);
    });
    await storage.choosePassphrase('correct horse battery');
    await settle();
    expect(main.calls).toEqual(['storage.usePassphrase']);
    expect(store.useKeyport.getState().status?.storage.persistent).toBe(true);
  });

  it('pinning and forgetting a saved token reload the saved list once each, through the event', async () => {
    const changed = () => main.emit('secrets.changed', {});
    main.handlers.set('secrets.pin', changed);
    main.handlers.set('secrets.forget', changed);
    await saved.pinSaved('saved-1', true);
    await settle();
    expect(main.count('secrets.list')).toBe(1);
    await saved.forgetSaved('saved-1');
    await settle();
    expect(main.count('secrets.list')).toBe(2);
  });
});

describe('changes made elsewhere', () => {
  it('a session renewed in the background reloads the servers once and the tokens once', async () => {
    main.emit('servers.changed', { serverId: 's1' });
    main.handlers.set('app.activity', () => undefined);
    await main.api.invoke('app.activity'); // any call carries the event out
    await settle();
    expect([main.count('servers.list'), main.count('tokens.list')]).toEqual([1, 1]);
  });

  it('a kind without a token list never lists tokens on servers.changed (the call could only fail)', async () => {
    main.handlers.set('servers.list', () => [server(signedIn, 'oidc')]);
    main.handlers.set('app.activity', () => undefined);
    main.emit('servers.changed', { serverId: 's1' });
    await main.api.invoke('app.activity');
    await settle();
    expect([main.count('servers.list'), main.count('tokens.list')]).toEqual([1, 0]);
  });

  it('removing a server drops its saved tokens from the list without asking main again', async () => {
    main.handlers.set('servers.remove', () => undefined);
    await servers.removeServer('s1');
    await settle();
    expect(main.count('secrets.list')).toBe(0);
    expect(store.useKeyport.getState().saved).toEqual([]);
    expect(store.useKeyport.getState().servers).toEqual([]);
  });
});
