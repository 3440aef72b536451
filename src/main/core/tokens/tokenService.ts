import { randomUUID } from 'node:crypto';
import type { CreatedToken, RevokeResult, SavedSecretView, TokenView } from '../../../shared/model';
import { KeyportError } from '../errors';
import type { ListedSettings, Provider, ProviderToken, ServerContext, TokenAuth } from '../providers/provider';
import type { ProviderRegistry } from '../providers/registry';
import type { SessionService } from '../sessions/sessionService';
import type { AuditLog } from '../audit/auditLog';
import type { EventHub } from '../events';
import type { Vault } from '../vault/vault';

import type { EphemeralSecrets } from './ephemeralSecrets';
import { listedTokenFinder } from './listedTokenFinder';

/** List, create and revoke a server's tokens, and keep created ones in the vault on request. */
export class TokenService {
  private readonly vault: Vault;
  private readonly sessions: SessionService;
  private readonly ephemeral: EphemeralSecrets;
  private readonly now: () => Date;
  private readonly events: EventHub;
  private readonly audit: AuditLog;
  private readonly providers: ProviderRegistry;
  /** The ids and names of the tokens last listed, by server: a revoke names its token in the
   * activity log by what the server called it, not by what the renderer says. Two arrays (a
   * revoke looks its one token up), not a map hashed on every list of 10,000 for that lookup,
   * nor the views themselves, which would keep a whole list's objects alive for it (bench 5e). */
  private readonly listed = new Map<string, { ids: string[]; names: string[] }>();
  /** Per server, the listed token the provider recognized as the session's own (isSession). */
  private readonly sessionTokenIds = new Map<string, string>();

  constructor(deps: { vault: Vault; providers: ProviderRegistry; sessions: SessionService; ephemeral: EphemeralSecrets; now: () => Date; events: EventHub; audit: AuditLog }) {
    this.vault = deps.vault;
    this.sessions = deps.sessions;
    this.ephemeral = deps.ephemeral;
    this.now = deps.now;
    this.events = deps.events;
    this.audit = deps.audit;
    this.providers = deps.providers;
  }

  async list(serverId: string, password?: string): Promise<TokenView[]> {
    // Kinds without a token list (OpenID Connect) are refused before the session is touched:
    // listing must not renew a session, which says "changed" and is listed again.
    const { descriptor } = this.providers.get(this.vault.server(serverId).kind);
    if (descriptor.tokenList === false) {
      throw new KeyportError('UNSUPPORTED', `${descriptor.label} servers have no list of ${descriptor.tokenNoun}s.`, { hint: 'Copy the session’s tokens from the session panel.' });
    }
    let unnamed = false;
    const listed = await this.withAuth(serverId, password, (ctx, auth, provider) => {
      unnamed = provider.descriptor.unnamedTokens === true;
      return provider.listTokens(ctx, auth);
    });
    const saved = this.matchSaved(serverId, listed);
    let own: string | null = null;
    let owners = 0;
    for (const t of listed) {
      if (t.isSession === true) {
        own = t.id;
        owners += 1;
      }
    }
    if (owners === 1 && own !== null) this.sessionTokenIds.set(serverId, own);
    else this.sessionTokenIds.delete(serverId);
    const dependsOn = this.sessionTokenId(serverId);
    // One pass from the provider's tokens to the views (a 10,000-token list is not copied again
    // for names, then for views).
    const views: TokenView[] = new Array<TokenView>(listed.length);
    const ids = new Array<string>(listed.length);
    const names = new Array<string>(listed.length);
    for (let i = 0; i < listed.length; i++) {
      const t = listed[i] as ProviderToken;
      const savedId = saved[i] ?? null;
      // Where the server keeps no names, the name the person gave a saved token is the better one.
      const name = unnamed ? (this.savedName(savedId ?? undefined) ?? t.name) : t.name;
      views[i] = this.view(t, savedId, dependsOn, name);
      ids[i] = t.id;
      names[i] = name;
    }
    this.listed.set(serverId, { ids, names });
    return views;
  }

  async create(serverId: string, request: { name: string; save: boolean; fields?: Record<string, string>; password?: string | undefined; otp?: string | undefined }): Promise<CreatedToken> {
    const { name, save } = request;
    // Refuse before the server creates anything we could not keep.
    const storage = this.vault.storage();
    if (save && !storage.persistent) {
      throw new KeyportError('STORAGE_UNAVAILABLE', 'Keyport is keeping secrets for this session only, so it cannot save tokens.', {
        hint: 'Protect Keyport with a passphrase to save tokens, or untick “Save in Keyport” to create the token and copy it now.',
      });
    }
    const created = await this.withAuth(
      serverId,
      request.password,
      (ctx, auth, provider) => provider.createToken(ctx, auth, { name, fields: request.fields ?? {}, ...(request.otp ? { otp: request.otp } : {}) }),
      'create',
    );
    const attributes: Record<string, string> = { tokenId: created.token.id };
    // With the id, what tells this token from a later one of the same name (EDS names are ids).
    if (created.token.createdAt) attributes.tokenCreatedAt = created.token.createdAt;
    if (created.identifier) attributes.key = created.identifier.value;
    // The settings it was made with (scopes, access, expiry in days…, never a secret), so Rotate
    // makes its successor the same way. Recorded even when empty (the kind's defaults): a token
    // without the record was not made by Keyport, and Rotate reads its settings from the list.
    const settings = Object.fromEntries(Object.entries(request.fields ?? {}).filter(([, v]) => v.trim() !== ''));
    let secretId: string;
    if (save) {
      secretId = randomUUID();
      await this.vault.putSecret(
        {
          id: secretId,
          serverId,
          purpose: 'api-token',
          name: created.token.name,
          savedAt: this.now().toISOString(),
          // For expiry reminders and the "expires soon" badge.
          expiresAt: created.token.expiresAt || null,
          createdWith: settings,
          attributes,
        },
        created.secret,
        { requirePersistent: true },
      );
    } else {
      secretId = this.ephemeral.add({ serverId, name: created.token.name, value: created.secret, attributes });
    }
    this.audit.record(this.vault.server(serverId), 'token.created', created.token.name, save ? 'saved in Keyport' : null);
    if (save) this.events.emit('secrets.changed', {});
    return {
      token: this.view(created.token, save ? secretId : null, this.sessions.dependsOn(serverId)),
      secret: created.secret,
      identifier: created.identifier ?? null,
      secretId,
      saved: save,
    };
  }

  /** How the listed token `tokenId` would be made again, read from the server's list (Rotate of
   * a token whose settings Keyport did not record). A kind without create fields has nothing to
   * carry over; one with create fields that cannot read them from its list is `known: false`. */
  async listedSettings(serverId: string, tokenId: string, password?: string): Promise<ListedSettings> {
    const { descriptor } = this.providers.get(this.vault.server(serverId).kind);
    return this.withAuth(serverId, password, async (ctx, auth, provider) => {
      if (provider.listedSettings) return provider.listedSettings(ctx, auth, tokenId);
      if (descriptor.createFields.length === 0) return { known: true, fields: {} };
      return { known: false, reason: `${descriptor.label} does not list how its ${descriptor.tokenNoun}s were made` };
    });
  }

  /** Asks the server whether a token works, with a call made with it (provider.checkToken):
   * 'works', or 'unchecked' for kinds without such a call. Throws what the server answered. */
  async check(serverId: string, token: string): Promise<'works' | 'unchecked'> {
    const outcome = await this.sessions.withSession(serverId, async (ctx, _session, provider) => {
      if (!provider.checkToken) return { state: 'unchecked' as const };
      try {
        await provider.checkToken(ctx, token);
        return { state: 'works' as const };
      } catch (error) {
        // Returned, not thrown: an AUTH_FAILED about this token must not end Keyport's session.
        return { state: 'refused' as const, error };
      }
    });
    if (outcome.state === 'refused') throw outcome.error;
    return outcome.state;
  }

  /** Revokes a token. If Keyport's own session depends on it (its OAuth client), the session
   * is signed out cleanly rather than left to fail on its next call. */
  async revoke(serverId: string, tokenId: string, password?: string, otp?: string): Promise<RevokeResult> {
    await this.withAuth(serverId, password, (ctx, auth, provider) => provider.revokeToken(ctx, auth, tokenId, otp ? { otp } : undefined), 'revoke');
    // A revoked token is useless: its saved copy goes too.
    const savedId = this.savedByTokenId(serverId).get(tokenId);
    const last = this.listed.get(serverId);
    const name = last?.names[last.ids.indexOf(tokenId)] ?? (savedId ? this.vault.secretMeta(savedId)?.name : undefined) ?? tokenId;
    if (savedId) {
      this.vault.deleteSecret(savedId);
      this.events.emit('secrets.changed', {});
    }
    const dependsOnIt = this.sessionTokenId(serverId) === tokenId;
    if (dependsOnIt) this.sessions.signOut(serverId);
    // A session signed in with a pasted token Keyport could not name: was that the one?
    const signedOut = dependsOnIt || (await this.sessions.endIfSignInTokenRevoked(serverId));
    if (signedOut) {
      // Other windows learn that the server is signed out without waiting for a reload.
      this.events.emit('servers.changed', { serverId });
    }
    this.audit.record(this.vault.server(serverId), 'token.revoked', name, signedOut ? 'Keyport’s session used it and was signed out' : null);
    return { signedOut };
  }

  /** The session, plus the account password for kinds that manage tokens with it. A remembered
   * password the server refuses is forgotten. */
  private async withAuth<T>(
    serverId: string,
    given: string | undefined,
    fn: (ctx: ServerContext, auth: TokenAuth, provider: Provider) => Promise<T>,
    action: 'list' | 'create' | 'revoke' = 'list',
  ): Promise<T> {
    let account: { username: string; password: string } | null = null;
    let remembered = false;
    return this.sessions.withSession(serverId, async (ctx, session, provider) => {
      const needsPassword = provider.descriptor.tokensNeedPassword || (action === 'create' && provider.descriptor.tokenCreationNeedsPassword === true);
      if (needsPassword && account === null) {
        account = await this.sessions.accountPassword(serverId, given);
        remembered = given === undefined;
      }
      try {
        return await fn(ctx, { session, username: account?.username ?? '', password: account?.password ?? null }, provider);
      } catch (error) {
        if (remembered && error instanceof KeyportError && error.code === 'PASSWORD_REQUIRED') this.sessions.forgetPassword(serverId);
        throw error;
      }
    });
  }

  saved(): SavedSecretView[] {
    return this.vault
      .secrets({ purpose: 'api-token' })
      .map((m) => ({
        id: m.id,
        serverId: m.serverId,
        name: m.name,
        savedAt: m.savedAt,
        expiresAt: m.expiresAt,
        pinned: m.pinned,
        goneFromServer: m.attributes.gone === 'true',
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Pins a saved token to the tray menu, or unpins it. */
  pin(secretId: string, pinned: boolean): void {
    const meta = this.vault.secretMeta(secretId);
    if (!meta || meta.purpose !== 'api-token') throw new KeyportError('NOT_FOUND', 'That saved token is no longer in Keyport.', { hint: 'Reload the list.' });
    this.vault.updateSecretMeta(secretId, { pinned });
    this.events.emit('secrets.changed', {});
  }

  forget(secretId: string): void {
    const meta = this.vault.secretMeta(secretId);
    if (!meta || meta.purpose !== 'api-token') throw new KeyportError('NOT_FOUND', 'That saved token is no longer in Keyport.');
    this.vault.deleteSecret(secretId);
    this.events.emit('secrets.changed', {});
  }

  private savedName(secretId: string | undefined): string | undefined {
    return secretId ? this.vault.secretMeta(secretId)?.name : undefined;
  }

  /** Saved copies by the listed token they belong to: same id and, where both are known, the
   * same creation time, so a token deleted elsewhere and made again under the same name never
   * gets the old token's copy. Copies whose token is gone or replaced are marked `gone` (shown as
   * "no longer on the server", to forget); a copy saved before creation times were kept learns
   * its token's time the first time it is matched. */
  private matchSaved(serverId: string, listed: readonly ProviderToken[]): Array<string | undefined> {
    const { find } = listedTokenFinder(listed);
    // A match is written into an array beside the list (not a map of matches to look up again).
    const saved = new Array<string | undefined>(listed.length);
    const changes = new Map<string, Record<string, string>>();
    for (const meta of this.vault.secrets({ serverId, purpose: 'api-token' })) {
      const { tokenId, tokenCreatedAt, gone } = meta.attributes;
      const index = tokenId === undefined ? undefined : find(tokenId);
      const token = index === undefined ? undefined : (listed[index] as ProviderToken);
      const same = token !== undefined && (tokenCreatedAt === undefined || token.createdAt === null || sameInstant(tokenCreatedAt, token.createdAt));
      if (same) {
        saved[index as number] = meta.id;
        // The usual case: matched before, nothing to learn.
        if (gone === undefined && tokenCreatedAt !== undefined) continue;
      }
      // The new attributes are built only for a copy that changes (the 10,000 copies of a list
      // that has not changed are only read).
      const nextCreatedAt = (tokenCreatedAt ?? (same ? token.createdAt : null)) || undefined;
      const nextGone = same ? undefined : 'true';
      if (nextGone !== gone || nextCreatedAt !== tokenCreatedAt) {
        const { tokenId: _id, tokenCreatedAt: _created, gone: _gone, ...rest } = meta.attributes;
        const next: Record<string, string> = { ...rest, ...(tokenId === undefined ? {} : { tokenId }) };
        if (nextCreatedAt) next.tokenCreatedAt = nextCreatedAt;
        if (nextGone) next.gone = nextGone;
        changes.set(meta.id, next);
      }
    }
    // One write for all of them: the first list of 10,000 saved copies learns 10,000 times.
    this.vault.updateManySecretAttributes(changes);
    if (changes.size > 0) this.events.emit('secrets.changed', {});
    return saved;
  }

  private savedByTokenId(serverId: string): Map<string, string> {
    const map = new Map<string, string>();
    for (const meta of this.vault.secrets({ serverId, purpose: 'api-token' })) {
      const tokenId = meta.attributes.tokenId;
      // A copy of a token that is gone belongs to no token of that name now.
      if (tokenId && meta.attributes.gone !== 'true') map.set(tokenId, meta.id);
    }
    return map;
  }

  /** What the window gets: the provider's fields by name (a copy, never the provider's object or
   * its `isSession`). */
  private view(token: ProviderToken, savedSecretId: string | null, dependsOn: string | null, name = token.name): TokenView {
    return {
      id: token.id,
      name,
      createdAt: token.createdAt,
      lastUsedAt: token.lastUsedAt,
      expiresAt: token.expiresAt,
      scopes: token.scopes,
      extra: token.extra ?? NO_EXTRA,
      savedSecretId,
      usedBySession: dependsOn !== null && dependsOn === token.id,
    };
  }

  /** The token Keyport's session depends on: the one named at sign-in, else the one the last
   * list recognized as the session's (npm: a pasted token). */
  private sessionTokenId(serverId: string): string | null {
    return this.sessions.dependsOn(serverId) ?? this.sessionTokenIds.get(serverId) ?? null;
  }
}

/** The extra columns of a token of a kind without any: one frozen object for a list of 10,000,
 * not 10,000 empty ones (the window gets copies). */
const NO_EXTRA: Record<string, string> = Object.freeze({}) as Record<string, string>;

const sameInstant = (a: string, b: string): boolean => a === b || (!Number.isNaN(Date.parse(a)) && Date.parse(a) === Date.parse(b));
