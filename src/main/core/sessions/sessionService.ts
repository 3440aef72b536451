import { randomUUID } from 'node:crypto';
import type { SessionView, SignInMethod, UserInfo } from '../../../shared/model';
import type { OAuthClientChoice } from '../../../shared/schemas';
import { KeyportError } from '../errors';
import type { EventHub } from '../events';
import type { Notifier, Timers } from '../ports';
import type { ProviderRegistry } from '../providers/registry';
import type { Provider, ResolvedClientChoice, ServerContext, SessionMaterial, SignInResult } from '../providers/provider';
import { claimsFromText, expiryTime, type NewSecretMeta, type SecretMeta, type ServerRecord } from '../vault/records';
import type { Vault } from '../vault/vault';

export interface SessionDeps {
  vault: Vault;
  providers: ProviderRegistry;
  contextFor(server: ServerRecord): Promise<ServerContext>;
  events: EventHub;
  now(): Date;
  /** With timers, refreshable sessions are renewed before they expire even when nothing uses
   * them, so the person never sees an expired access token (see scheduleRenewal). */
  timers?: Timers | undefined;
  /** Says that a session Keyport dropped (replaced by a new sign-in, or its server removed)
   * could not be revoked at the server. */
  notifier?: Notifier | undefined;
}

/** An access token this close to its expiry is refreshed before it is used (agavepy uses the
 * same minute), so a call never starts with a token that dies on the way. */
export const REFRESH_MARGIN_MS = 60_000;

/** The refresh margin of an access token that lives `lifetimeMs`: a tenth of its life, at most
 * REFRESH_MARGIN_MS. A 60-second token is renewed 6 s before it ends, not at every use (a
 * one-minute margin would equal its whole life). Every kind's sessions share this rule. */
export function refreshMarginMs(lifetimeMs: number): number {
  if (!Number.isFinite(lifetimeMs)) return REFRESH_MARGIN_MS;
  return Math.min(REFRESH_MARGIN_MS, Math.max(0, lifetimeMs) / 10);
}
const MAX_TIMER_MS = 24 * 3600_000;

type Method = SignInMethod | 'file';
const METHODS: readonly string[] = ['password', 'token', 'browser', 'device', 'file'];

/** Signed-in state per server. The session secret is kept in the vault (encrypted, or in
 * memory when secrets cannot be protected); the non-secret facts (who, how, since when, until
 * when) sit in its metadata so listing servers never decrypts anything. */
export class SessionService {
  private readonly deps: SessionDeps;
  private readonly expired = new Map<string, string>();
  /** What the last sign-out could not do at the server (revocation failed), per server. */
  private readonly signOutNotices = new Map<string, string>();
  /** Single flight: concurrent calls that find the session stale share one renewal. */
  private readonly renewals = new Map<string, Promise<string>>();
  /** The planned background renewal of each refreshable session. */
  private readonly scheduled = new Map<string, { cancel(): void }>();

  constructor(deps: SessionDeps) {
    this.deps = deps;
    this.resumeRenewals();
  }

  /** Plans the background renewal of every refreshable session (at start, after unlocking). */
  resumeRenewals(): void {
    for (const meta of this.deps.vault.secrets({ purpose: 'session' })) this.scheduleRenewal(meta.serverId);
  }

  /** Stops every planned background renewal (at lock and at quit). */
  stopRenewals(): void {
    for (const planned of this.scheduled.values()) planned.cancel();
    this.scheduled.clear();
  }

  /** Plans the renewal of a refreshable session shortly before it expires: a tenth of its
   * lifetime before, at most a minute (refreshMarginMs), and not before half of what is left
   * (never sooner than a second,
   * so a server that hands out tokens already expired cannot make Keyport spin). A renewal that
   * fails because the session ended makes the server "signed out — sign in again"; one that
   * fails otherwise (offline, locked) is left to the next use, which tries again. */
  private scheduleRenewal(serverId: string): void {
    this.scheduled.get(serverId)?.cancel();
    this.scheduled.delete(serverId);
    const { timers } = this.deps;
    const meta = this.sessionMeta(serverId);
    if (!timers || !meta) return;
    const server = this.deps.vault.servers().find((s) => s.id === serverId);
    let provider: Provider | null = null;
    try {
      provider = server ? this.deps.providers.get(server.kind) : null;
    } catch {
      // A server of a kind this version does not know has nothing to renew.
    }
    if (!provider?.renewSession || !provider.descriptor.refreshableSession) return;
    if (!this.deps.vault.secrets({ serverId, purpose: 'credential' }).length) return;
    const expiresAt = expiryTime(meta);
    if (expiresAt === null) return;
    const remaining = expiresAt - this.deps.now().getTime();
    const delay = Math.max(1000, remaining - refreshMarginMs(lifetimeOf(meta)), remaining / 2);
    // Timers cannot wait longer than about 24 days; far-off renewals are planned again later.
    const farOff = delay > MAX_TIMER_MS;
    this.scheduled.set(
      serverId,
      timers.setTimeout(
        () => {
          this.scheduled.delete(serverId);
          if (farOff) this.scheduleRenewal(serverId);
          else this.refresh(serverId).catch(() => undefined);
        },
        farOff ? MAX_TIMER_MS : delay,
      ),
    );
  }

  /** Servers whose session ended and could not be renewed ("sign in again"). */
  endedSessions(): string[] {
    return [...this.expired.keys()];
  }

  view(serverId: string): SessionView {
    const meta = this.sessionMeta(serverId);
    if (meta) {
      const a = meta.attributes;
      const user: UserInfo = { name: a.userName ?? '' };
      if (a.userEmail) user.email = a.userEmail;
      if (a.userRole) user.role = a.userRole;
      return {
        state: 'signed-in',
        user,
        method: METHODS.includes(a.method ?? '') ? (a.method as Method) : 'password',
        signedInAt: meta.savedAt,
        persisted: this.deps.vault.storage().persistent,
        expiresAt: meta.expiresAt,
        dependsOn: a.dependsOn ?? null,
        passwordRemembered: this.deps.vault.secrets({ serverId, purpose: 'password' }).length > 0,
        ...grantFacts(meta),
      };
    }
    const message = this.expired.get(serverId);
    if (message) return { state: 'expired', message };
    const notice = this.signOutNotices.get(serverId);
    return notice ? { state: 'signed-out', notice } : { state: 'signed-out' };
  }

  async signInWithPassword(
    serverId: string,
    username: string,
    password: string,
    options: { client?: OAuthClientChoice | undefined; rememberPassword?: boolean | undefined; otp?: string | undefined } = {},
  ): Promise<void> {
    const { server, provider } = this.resolve(serverId);
    if (!provider.signInWithPassword) throw unsupported(provider, 'signing in with a user name and password');
    const challenge = options.otp ? { otp: options.otp } : undefined;
    // "Let Keyport create a client" after a session ended: the client kept from that session
    // is reused instead, unless the server no longer knows it.
    const kept = provider.sessionClient && (!options.client || (options.client.type === 'new' && !options.client.name)) ? this.keptSessionClient(serverId) : undefined;
    if (kept) {
      try {
        const reused = await this.resolveClient(server, { type: 'saved', secretId: kept });
        const result = await provider.signInWithPassword(await this.deps.contextFor(server), username, password, reused, challenge);
        this.deps.vault.deleteSecret(kept); // the session holds the client again
        this.deps.events.emit('secrets.changed', {});
        await this.store(server, 'password', result, options.rememberPassword ? { username, password } : null);
        return;
      } catch (error) {
        if (!(error instanceof KeyportError && error.code === 'AUTH_FAILED' && error.field === 'clientSecret')) throw error;
        this.deps.vault.deleteSecret(kept);
        this.deps.events.emit('secrets.changed', {});
      }
    }
    const client = options.client ? await this.resolveClient(server, options.client) : undefined;
    const result = await provider.signInWithPassword(await this.deps.contextFor(server), username, password, client, challenge);
    await this.store(server, 'password', result, options.rememberPassword ? { username, password } : null);
  }

  async signInWithToken(serverId: string, token: string): Promise<void> {
    const { server, provider } = this.resolve(serverId);
    if (!provider.signInWithToken) throw unsupported(provider, 'signing in with a token');
    const result = await provider.signInWithToken(await this.deps.contextFor(server), token);
    // The server does not say which listed token was pasted; a copy Keyport saved does.
    const dependsOnTokenId = result.dependsOnTokenId ?? (await this.savedTokenIdOf(serverId, token));
    await this.store(server, 'token', { ...result, dependsOnTokenId }, null);
  }

  /** The token id of the saved copy whose value is `token`, if Keyport saved it. */
  private async savedTokenIdOf(serverId: string, token: string): Promise<string | undefined> {
    for (const meta of this.deps.vault.secrets({ serverId, purpose: 'api-token' })) {
      if (meta.attributes.tokenId && meta.attributes.gone !== 'true' && (await this.deps.vault.readSecret(meta.id)) === token) return meta.attributes.tokenId;
    }
    return undefined;
  }

  /** After a token was revoked, for a session signed in with a pasted token that Keyport could
   * not match to a listed one: asks the server whether that token still signs in (a fresh
   * session replaces the current one). If it no longer does, it was the one revoked: the
   * session is signed out cleanly, with a notice saying why, instead of failing on its next
   * call. Returns whether it signed out. */
  async endIfSignInTokenRevoked(serverId: string): Promise<boolean> {
    const meta = this.sessionMeta(serverId);
    if (!meta || meta.attributes.method !== 'token' || meta.attributes.dependsOn !== undefined) return false;
    const { server, provider } = this.resolve(serverId);
    if (!provider.renewSession || this.deps.vault.secrets({ serverId, purpose: 'credential' }).length === 0) return false;
    try {
      await this.renew(server, provider, await this.deps.contextFor(server), meta.id, (await this.deps.vault.readSecret(meta.id)) ?? '');
      return false;
    } catch (error) {
      if (!(error instanceof KeyportError) || error.code !== 'SESSION_EXPIRED') throw error;
      this.signOut(serverId);
      this.signOutNotices.set(serverId, 'Signed out: the API token this session signed in with was revoked.');
      return true;
    }
  }

  /** Takes over a session obtained elsewhere: a CLI's session file, a browser or device
   * sign-in. */
  async adopt(serverId: string, result: SignInResult, method: Method = 'file'): Promise<void> {
    await this.store(this.deps.vault.server(serverId), method, result, null);
  }

  /** Signed in, with a session that has not expired (by its known expiry). */
  hasValidSession(serverId: string): boolean {
    const meta = this.sessionMeta(serverId);
    if (!meta) return false;
    const expiresAt = expiryTime(meta);
    return expiresAt === null || expiresAt > this.deps.now().getTime();
  }

  /** Forgets the session, the credential it was renewed from and a remembered password. */
  signOut(serverId: string): void {
    this.forget(serverId);
    this.expired.delete(serverId);
    this.signOutNotices.delete(serverId);
  }

  /** Signs out after asking the server to end the session too (kinds with `endSession`, e.g.
   * RFC 7009 revocation). Best effort: the local sign-out always happens; when the server could
   * not be told, the signed-out view carries a notice saying so. `openedOn` is the server as
   * the session was opened (an edit signs out with the settings before the change). */
  async signOutAtServer(serverId: string, openedOn: ServerRecord = this.deps.vault.server(serverId)): Promise<void> {
    const why = await this.endAtServer(openedOn, await this.sessionSecrets(serverId));
    this.signOut(serverId);
    if (why !== null) this.signOutNotices.set(serverId, `Signed out of Keyport, but ${why}`);
  }

  /** Ends the session at the server before the server is removed from Keyport; a desktop
   * notification says so when the server could not be told. */
  async endBeforeRemoval(serverId: string): Promise<void> {
    const server = this.deps.vault.server(serverId);
    const why = await this.endAtServer(server, await this.sessionSecrets(serverId));
    this.signOut(serverId);
    if (why !== null) this.deps.notifier?.notify({ title: 'Tokens not revoked', body: `Removed ${server.name} from Keyport, but ${why}` });
  }

  /** The session's secrets as they are now, for ending it at the server; null when there is
   * no session. */
  private async sessionSecrets(serverId: string): Promise<SessionSecrets | null> {
    const meta = this.sessionMeta(serverId);
    const session = meta ? await this.deps.vault.readSecret(meta.id) : null;
    if (!meta || session === null) return null;
    const credentialMeta = this.deps.vault.secrets({ serverId, purpose: 'credential' })[0];
    const credential = credentialMeta ? await this.deps.vault.readSecret(credentialMeta.id) : null;
    return { session, credential, attributes: { ...meta.attributes } };
  }

  /** Asks the server to end a session Keyport is dropping (provider.endSession: RFC 7009
   * revocation, npm logout). Null when done or when the kind has nothing to end; otherwise why
   * not, as the end of a sentence for people. */
  private async endAtServer(server: ServerRecord, secrets: SessionSecrets | null): Promise<string | null> {
    if (secrets === null) return null;
    let provider: Provider;
    try {
      provider = this.deps.providers.get(server.kind);
    } catch {
      return null;
    }
    if (!provider.endSession) return null;
    try {
      await provider.endSession(await this.deps.contextFor(server), secrets);
      return null;
    } catch (error) {
      const why = error instanceof KeyportError ? error.message : 'it could not be reached.';
      return `${server.name} was not told to revoke the tokens: ${why} They stay valid until they expire.`;
    }
  }

  /** Renews the session now ("Refresh now"). */
  async refresh(serverId: string): Promise<void> {
    const { server, provider } = this.resolve(serverId);
    if (!provider.renewSession || !provider.descriptor.refreshableSession) throw unsupported(provider, 'refreshing a session');
    const { meta, session } = await this.current(server);
    await this.renew(server, provider, await this.deps.contextFor(server), meta.id, session);
  }

  /** Runs `fn` with the server's session. A session about to expire is renewed first. If the
   * server rejects the session, renews it once from the kept credential and retries; without
   * one, the server becomes "signed out — sign in again" and the call fails with
   * SESSION_EXPIRED. Never loops. */
  async withSession<T>(serverId: string, fn: (ctx: ServerContext, session: string, provider: Provider) => Promise<T>): Promise<T> {
    const { server, provider } = this.resolve(serverId);
    const { meta, session: stored } = await this.current(server);
    const ctx = await this.deps.contextFor(server);
    let session = stored;
    if (this.aboutToExpire(meta) && provider.renewSession) {
      session = await this.renew(server, provider, ctx, meta.id, stored);
    }
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

  /** The live session's secrets and facts, for copying or exporting it: renewed first if about
   * to expire, or if the server says it no longer works. */
  async material(serverId: string): Promise<SessionMaterial> {
    const session = await this.withSession(serverId, async (ctx, s, provider) => {
      await provider.checkSession?.(ctx, s);
      return s;
    });
    const meta = this.sessionMeta(serverId);
    if (!meta) throw notSignedIn(this.deps.vault.server(serverId));
    const credentialMeta = this.deps.vault.secrets({ serverId, purpose: 'credential' })[0];
    const credential = credentialMeta ? await this.deps.vault.readSecret(credentialMeta.id) : null;
    const view = this.view(serverId);
    return {
      session,
      credential,
      expiresAt: meta.expiresAt,
      user: view.state === 'signed-in' ? view.user : { name: '' },
      attributes: { ...meta.attributes },
    };
  }

  /** The user name and password for a token operation on a kind that needs the password: the
   * one given for this call, else the remembered one, else PASSWORD_REQUIRED. */
  async accountPassword(serverId: string, given: string | undefined): Promise<{ username: string; password: string }> {
    const server = this.deps.vault.server(serverId);
    const meta = this.sessionMeta(serverId);
    if (!meta) throw notSignedIn(server);
    const username = meta.attributes.userName ?? '';
    if (given !== undefined) return { username, password: given };
    const remembered = this.deps.vault.secrets({ serverId, purpose: 'password' })[0];
    const password = remembered ? await this.deps.vault.readSecret(remembered.id) : null;
    if (password === null) {
      throw new KeyportError('PASSWORD_REQUIRED', `${server.name} needs your password for this.`, {
        hint: 'Enter the password of your account. Keyport uses it for this action only.',
        field: 'password',
      });
    }
    return { username, password };
  }

  /** A remembered password the server rejected is forgotten, so it is not sent again. */
  forgetPassword(serverId: string): void {
    for (const meta of this.deps.vault.secrets({ serverId, purpose: 'password' })) this.deps.vault.deleteSecret(meta.id);
  }

  /** The token the session depends on (its OAuth client), or null. */
  dependsOn(serverId: string): string | null {
    return this.sessionMeta(serverId)?.attributes.dependsOn ?? null;
  }

  private async current(server: ServerRecord): Promise<{ meta: SecretMeta; session: string }> {
    const meta = this.sessionMeta(server.id);
    const session = meta ? await this.deps.vault.readSecret(meta.id) : null;
    if (!meta || session === null) throw notSignedIn(server);
    return { meta, session };
  }

  private aboutToExpire(meta: SecretMeta): boolean {
    const expiresAt = expiryTime(meta);
    return expiresAt !== null && expiresAt - this.deps.now().getTime() <= refreshMarginMs(lifetimeOf(meta));
  }

  private async renew(server: ServerRecord, provider: Provider, ctx: ServerContext, staleId: string, staleSession: string): Promise<string> {
    // A 401 that arrives after another call's renewal finished uses that renewal instead of
    // starting a second one. Nothing may await between the single-flight check and the set.
    const current = this.deps.vault.secretMeta(staleId) ? await this.deps.vault.readSecret(staleId) : null;
    if (current !== null && current !== staleSession) return current;
    if (!this.deps.vault.secretMeta(staleId) && this.expired.has(server.id)) throw sessionEnded(server);
    const running = this.renewals.get(server.id);
    if (running) return running;
    const renewal = this.renewFromCredential(server, provider, ctx, staleId);
    this.renewals.set(server.id, renewal);
    try {
      return await renewal;
    } finally {
      this.renewals.delete(server.id);
    }
  }

  private async renewFromCredential(server: ServerRecord, provider: Provider, ctx: ServerContext, sessionId: string): Promise<string> {
    const { vault } = this.deps;
    const credentialMeta = vault.secrets({ serverId: server.id, purpose: 'credential' })[0];
    const credential = credentialMeta ? await vault.readSecret(credentialMeta.id) : null;
    if (!provider.renewSession || !credentialMeta || credential === null) {
      this.expire(server);
      throw sessionEnded(server);
    }
    let grant;
    try {
      grant = await provider.renewSession(ctx, credential);
    } catch (error) {
      if (isAuthFailure(error)) {
        this.expire(server);
        throw sessionEnded(server);
      }
      throw error;
    }
    const sessionMeta = vault.secretMeta(sessionId);
    // Signed out while the renewal ran: nothing to update.
    if (!sessionMeta) throw sessionEnded(server);
    const { claims, ...granted } = grant.attributes ?? {};
    const attributes: Record<string, string> = { ...sessionMeta.attributes, ...granted, issuedAt: this.deps.now().toISOString() };
    const meta: SecretMeta = { ...sessionMeta, attributes, expiresAt: grant.expiresAt || null, claims: claims === undefined ? sessionMeta.claims : claimsFromText(claims) };
    // The new access token and the rotated refresh token are written together: keeping only
    // one of them would leave a session that cannot be renewed again.
    const entries = [{ meta, value: grant.session }];
    if (grant.credential !== null && grant.credential !== credential) entries.push({ meta: credentialMeta, value: grant.credential });
    await vault.putSecrets(entries);
    this.scheduleRenewal(server.id);
    this.deps.events.emit('servers.changed', { serverId: server.id });
    return grant.session;
  }

  private async resolveClient(server: ServerRecord, choice: OAuthClientChoice): Promise<ResolvedClientChoice> {
    if (choice.type !== 'saved') return choice;
    const meta = this.deps.vault.secretMeta(choice.secretId);
    const key = meta?.attributes.key;
    const value = meta && meta.serverId === server.id && meta.purpose === 'api-token' && key ? await this.deps.vault.readSecret(meta.id) : null;
    if (!meta || !key || value === null) {
      throw new KeyportError('NOT_FOUND', `That saved OAuth client is no longer in Keyport for ${server.name}.`, {
        hint: 'Choose another client, or let Keyport create one.',
        field: 'client',
      });
    }
    return { type: 'existing', key, secret: value, name: meta.attributes.tokenId ?? meta.name };
  }

  private async store(server: ServerRecord, method: Method, result: SignInResult, password: { username: string; password: string } | null): Promise<void> {
    // Signing in again replaces the session: the old one is ended at the server once the new one
    // is saved (unless the server handed back the same secret), so no grant is left behind.
    const previous = await this.sessionSecrets(server.id);
    const replaced = previous !== null && previous.session !== result.session && (previous.credential === null || previous.credential !== result.credential) ? previous : null;
    this.forget(server.id);
    this.expired.delete(server.id);
    this.signOutNotices.delete(server.id);
    const savedAt = this.deps.now().toISOString();
    // The ID token's claims come as JSON text among the kind's attributes; they are kept typed.
    const { claims, ...kept } = result.attributes ?? {};
    const attributes: Record<string, string> = { ...kept, method, userName: result.user.name };
    if (result.user.email) attributes.userEmail = result.user.email;
    if (result.user.role) attributes.userRole = result.user.role;
    if (result.dependsOnTokenId) attributes.dependsOn = result.dependsOnTokenId;
    // When this access token was issued, for its lifetime (refreshMarginMs).
    attributes.issuedAt = savedAt;
    const base = { serverId: server.id, savedAt };
    const entries: Array<{ meta: NewSecretMeta; value: string }> = [
      { meta: { ...base, id: randomUUID(), purpose: 'session', name: 'session', expiresAt: result.expiresAt || null, claims: claimsFromText(claims), attributes }, value: result.session },
    ];
    if (result.credential !== null) {
      entries.push({ meta: { ...base, id: randomUUID(), purpose: 'credential', name: 'sign-in credential', attributes: {} }, value: result.credential });
    }
    if (password) {
      entries.push({ meta: { ...base, id: randomUUID(), purpose: 'password', name: 'account password', attributes: { username: password.username } }, value: password.password });
    }
    await this.deps.vault.putSecrets(entries);
    this.scheduleRenewal(server.id);
    const why = await this.endAtServer(server, replaced);
    if (why !== null) this.deps.notifier?.notify({ title: 'Old session not revoked', body: `Signed in to ${server.name} again, but the previous session remains: ${why}` });
  }

  private expire(server: ServerRecord): void {
    // The refresh token is dead, not (usually) the OAuth client: keep the client, so that
    // signing in again reuses it instead of leaving another one on the server.
    // Best effort (readSecret takes the credential from the cache before forget() drops it).
    void this.keepSessionClient(server).catch(() => undefined);
    this.forget(server.id);
    this.expired.set(server.id, `Your session on ${server.name} has ended. Sign in again.`);
    this.deps.events.emit('servers.changed', { serverId: server.id });
  }

  /** Saves the ended session's OAuth client as the server's saved client (marked
   * `sessionClient`), unless Keyport already keeps one with that key. Reads the credential
   * synchronously from the cache before forget() deletes it. */
  private async keepSessionClient(server: ServerRecord): Promise<void> {
    const { vault } = this.deps;
    const provider = this.deps.providers.get(server.kind);
    const credentialMeta = vault.secrets({ serverId: server.id, purpose: 'credential' })[0];
    if (!provider.sessionClient || !credentialMeta || !vault.storage().persistent) return;
    const credential = await vault.readSecret(credentialMeta.id);
    const client = credential === null ? null : provider.sessionClient(credential);
    if (!client) return;
    if (vault.secrets({ serverId: server.id, purpose: 'api-token' }).some((m) => m.attributes.key === client.key)) return;
    await vault.putSecret(
      { id: randomUUID(), serverId: server.id, purpose: 'api-token', name: client.name, savedAt: this.deps.now().toISOString(), attributes: { tokenId: client.name, key: client.key, sessionClient: 'true' } },
      client.secret,
      { requirePersistent: true },
    );
    this.deps.events.emit('secrets.changed', {});
  }

  /** The OAuth client kept from an ended session of this server (keepSessionClient), if any. */
  private keptSessionClient(serverId: string): string | undefined {
    return this.deps.vault.secrets({ serverId, purpose: 'api-token' }).find((m) => m.attributes.sessionClient === 'true' && m.attributes.gone !== 'true')?.id;
  }

  private forget(serverId: string): void {
    this.scheduled.get(serverId)?.cancel();
    this.scheduled.delete(serverId);
    for (const purpose of ['session', 'credential', 'password'] as const) {
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

/** What a provider's endSession is given. */
interface SessionSecrets {
  session: string;
  credential: string | null;
  attributes: Record<string, string>;
}

/** The granted scopes (the kind's `scope` attribute) and ID token claims kept with the
 * session, for the session view. */
function grantFacts(meta: SecretMeta): { scopes?: string[]; claims?: Array<{ name: string; value: string }> } {
  const facts: { scopes?: string[]; claims?: Array<{ name: string; value: string }> } = {};
  if (meta.attributes.scope !== undefined) facts.scopes = meta.attributes.scope.split(' ').filter(Boolean);
  if (meta.claims !== null) facts.claims = meta.claims;
  return facts;
}

/** How long the current access token lives: from when Keyport got it (`issuedAt`, set at
 * sign-in and at each renewal; the session's `savedAt` for sessions saved before it existed) to
 * its expiry. NaN when unknown. */
function lifetimeOf(meta: SecretMeta): number {
  return (expiryTime(meta) ?? Number.NaN) - Date.parse(meta.attributes.issuedAt ?? meta.savedAt);
}

const isAuthFailure = (error: unknown): boolean => error instanceof KeyportError && error.code === 'AUTH_FAILED';

const sessionEnded = (server: ServerRecord) =>
  new KeyportError('SESSION_EXPIRED', `Your session on ${server.name} has ended.`, { hint: 'Sign in again.' });

const notSignedIn = (server: ServerRecord) =>
  new KeyportError('NOT_SIGNED_IN', `You are not signed in to ${server.name}.`, { hint: 'Sign in first.' });

const unsupported = (provider: Provider, what: string) =>
  new KeyportError('UNSUPPORTED', `${provider.descriptor.label} servers do not support ${what}.`);
