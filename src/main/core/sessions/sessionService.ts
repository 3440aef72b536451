import { randomUUID } from 'node:crypto';
import type { SessionView, SignInMethod, UserInfo } from '../../../shared/model';
import { KeyportError } from '../errors';
import type { EventHub } from '../events';
import type { ProviderRegistry } from '../providers/registry';
import type { Provider, ServerContext, SignInResult } from '../providers/provider';
import type { ServerRecord } from '../vault/records';
import type { Vault } from '../vault/vault';

export interface SessionDeps {
  vault: Vault;
  providers: ProviderRegistry;
  contextFor(server: ServerRecord): Promise<ServerContext>;
  events: EventHub;
  now(): Date;
}

/** Signed-in state per server. The session secret is kept in the vault (encrypted, or in
 * memory when secrets cannot be protected); the non-secret facts (who, how, since when) sit in
 * its metadata so listing servers never decrypts anything. */
export class SessionService {
  private readonly deps: SessionDeps;
  private readonly expired = new Map<string, string>();
  /** Single flight: concurrent calls that find the session stale share one renewal. */
  private readonly renewals = new Map<string, Promise<string>>();

  constructor(deps: SessionDeps) {
    this.deps = deps;
  }

  view(serverId: string): SessionView {
    const meta = this.sessionMeta(serverId);
    if (meta) {
      const user: UserInfo = { name: meta.attributes.userName ?? '' };
      if (meta.attributes.userEmail) user.email = meta.attributes.userEmail;
      return {
        state: 'signed-in',
        user,
        method: meta.attributes.method === 'token' ? 'token' : 'password',
        signedInAt: meta.savedAt,
        persisted: this.deps.vault.storage().persistent,
      };
    }
    const message = this.expired.get(serverId);
    return message ? { state: 'expired', message } : { state: 'signed-out' };
  }

  async signInWithPassword(serverId: string, username: string, password: string): Promise<void> {
    const { server, provider } = this.resolve(serverId);
    if (!provider.signInWithPassword) throw unsupported(provider, 'a user name and password');
    const result = await provider.signInWithPassword(await this.deps.contextFor(server), username, password);
    await this.store(server, 'password', result);
  }

  async signInWithToken(serverId: string, token: string): Promise<void> {
    const { server, provider } = this.resolve(serverId);
    if (!provider.signInWithToken) throw unsupported(provider, 'a token');
    const result = await provider.signInWithToken(await this.deps.contextFor(server), token);
    await this.store(server, 'token', result);
  }

  /** Forgets the session and any credential it was renewed from. */
  signOut(serverId: string): void {
    this.forget(serverId);
    this.expired.delete(serverId);
  }

  /** Runs `fn` with the server's session. If the server rejects the session, renews it once
   * from the kept credential and retries; without one, the server becomes "signed out — sign
   * in again" and the call fails with SESSION_EXPIRED. Never loops. */
  async withSession<T>(serverId: string, fn: (ctx: ServerContext, session: string, provider: Provider) => Promise<T>): Promise<T> {
    const { server, provider } = this.resolve(serverId);
    const meta = this.sessionMeta(serverId);
    const session = meta ? await this.deps.vault.readSecret(meta.id) : null;
    if (!meta || session === null) {
      throw new KeyportError('NOT_SIGNED_IN', `You are not signed in to ${server.name}.`, { hint: 'Sign in first.' });
    }
    const ctx = await this.deps.contextFor(server);
    try {
      return await fn(ctx, session, provider);
    } catch (error) {
      if (!isAuthFailure(error)) throw error;
    }
    const renewed = await this.renew(server, provider, ctx, meta.id, session);
    try {
      return await fn(ctx, renewed, provider);
    } catch (error) {
      if (isAuthFailure(error)) this.expire(server);
      throw isAuthFailure(error) ? sessionEnded(server) : error;
    }
  }

  private async renew(server: ServerRecord, provider: Provider, ctx: ServerContext, staleId: string, staleSession: string): Promise<string> {
    // A 401 that arrives after another call's renewal finished uses that renewal instead of
    // starting a second one. Nothing may await between the single-flight check and the set.
    const current = this.deps.vault.secretMeta(staleId) ? await this.deps.vault.readSecret(staleId) : null;
    if (current !== null && current !== staleSession) return current;
    if (!this.deps.vault.secretMeta(staleId) && this.expired.has(server.id)) throw sessionEnded(server);
    const running = this.renewals.get(server.id);
    if (running) return running;
    const renewal = (async () => {
      const credentialMeta = this.deps.vault.secrets({ serverId: server.id, purpose: 'credential' })[0];
      const credential = credentialMeta ? await this.deps.vault.readSecret(credentialMeta.id) : null;
      if (!provider.renewSession || credential === null) {
        this.expire(server);
        throw sessionEnded(server);
      }
      let fresh: string;
      try {
        fresh = await provider.renewSession(ctx, credential);
      } catch (error) {
        if (isAuthFailure(error)) {
          this.expire(server);
          throw sessionEnded(server);
        }
        throw error;
      }
      const meta = this.deps.vault.secretMeta(staleId);
      if (meta) await this.deps.vault.putSecret(meta, fresh);
      return fresh;
    })();
    this.renewals.set(server.id, renewal);
    try {
      return await renewal;
    } finally {
      this.renewals.delete(server.id);
    }
  }

  private async store(server: ServerRecord, method: SignInMethod, result: SignInResult): Promise<void> {
    this.forget(server.id);
    this.expired.delete(server.id);
    const savedAt = this.deps.now().toISOString();
    const attributes: Record<string, string> = { method, userName: result.user.name };
    if (result.user.email) attributes.userEmail = result.user.email;
    await this.deps.vault.putSecret({ id: randomUUID(), serverId: server.id, purpose: 'session', name: 'session', savedAt, attributes }, result.session);
    if (result.credential !== null) {
      await this.deps.vault.putSecret(
        { id: randomUUID(), serverId: server.id, purpose: 'credential', name: 'sign-in token', savedAt, attributes: {} },
        result.credential,
      );
    }
  }

  private expire(server: ServerRecord): void {
    this.forget(server.id);
    this.expired.set(server.id, `Your session on ${server.name} has ended. Sign in again.`);
    this.deps.events.emit('servers.changed', { serverId: server.id });
  }

  private forget(serverId: string): void {
    for (const purpose of ['session', 'credential'] as const) {
      for (const meta of this.deps.vault.secrets({ serverId, purpose })) this.deps.vault.deleteSecret(meta.id);
    }
  }

  private sessionMeta(serverId: string) {
    return this.deps.vault.secrets({ serverId, purpose: 'session' })[0];
  }

  private resolve(serverId: string): { server: ServerRecord; provider: Provider } {
    const server = this.deps.vault.server(serverId);
    return { server, provider: this.deps.providers.get(server.kind) };
  }
}

const isAuthFailure = (error: unknown): boolean => error instanceof KeyportError && error.code === 'AUTH_FAILED';

const sessionEnded = (server: ServerRecord) =>
  new KeyportError('SESSION_EXPIRED', `Your session on ${server.name} has ended.`, { hint: 'Sign in again.' });

const unsupported = (provider: Provider, what: string) =>
  new KeyportError('UNSUPPORTED', `${provider.descriptor.label} servers do not support signing in with ${what}.`);
