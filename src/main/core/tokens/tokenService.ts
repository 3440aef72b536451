import { randomUUID } from 'node:crypto';
import type { CreatedToken, SavedSecretView, TokenView } from '../../../shared/model';
import { KeyportError } from '../errors';
import type { ProviderToken } from '../providers/provider';
import type { SessionService } from '../sessions/sessionService';
import type { Vault } from '../vault/vault';
import type { EphemeralSecrets } from './ephemeralSecrets';

/** List, create and revoke a server's tokens, and keep created ones in the vault on request. */
export class TokenService {
  private readonly vault: Vault;
  private readonly sessions: SessionService;
  private readonly ephemeral: EphemeralSecrets;
  private readonly now: () => Date;

  constructor(deps: { vault: Vault; sessions: SessionService; ephemeral: EphemeralSecrets; now: () => Date }) {
    this.vault = deps.vault;
    this.sessions = deps.sessions;
    this.ephemeral = deps.ephemeral;
    this.now = deps.now;
  }

  async list(serverId: string): Promise<TokenView[]> {
    const tokens = await this.sessions.withSession(serverId, (ctx, session, provider) => provider.listTokens(ctx, session));
    const saved = this.savedByTokenId(serverId);
    return tokens.map((t) => this.view(t, saved.get(t.id) ?? null));
  }

  async create(serverId: string, name: string, save: boolean): Promise<CreatedToken> {
    // Refuse before the server creates anything we could not keep.
    const storage = this.vault.storage();
    if (save && !storage.persistent) {
      throw new KeyportError('STORAGE_UNAVAILABLE', 'Keyport is keeping secrets for this session only, so it cannot save tokens.', {
        hint: 'Protect Keyport with a passphrase to save tokens, or untick “Save in Keyport” to create the token and copy it now.',
      });
    }
    const created = await this.sessions.withSession(serverId, (ctx, session, provider) => provider.createToken(ctx, session, { name }));
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
          attributes: { tokenId: created.token.id },
        },
        created.secret,
        { requirePersistent: true },
      );
    } else {
      secretId = this.ephemeral.add({ serverId, name: created.token.name, value: created.secret });
    }
    return { token: this.view(created.token, save ? secretId : null), secret: created.secret, secretId, saved: save };
  }

  async revoke(serverId: string, tokenId: string): Promise<void> {
    await this.sessions.withSession(serverId, (ctx, session, provider) => provider.revokeToken(ctx, session, tokenId));
    // A revoked token is useless: its saved copy goes too.
    const savedId = this.savedByTokenId(serverId).get(tokenId);
    if (savedId) this.vault.deleteSecret(savedId);
  }

  saved(): SavedSecretView[] {
    return this.vault
      .secrets({ purpose: 'api-token' })
      .map((m) => ({ id: m.id, serverId: m.serverId, name: m.name, savedAt: m.savedAt }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  forget(secretId: string): void {
    const meta = this.vault.secretMeta(secretId);
    if (!meta || meta.purpose !== 'api-token') throw new KeyportError('NOT_FOUND', 'That saved token is no longer in Keyport.');
    this.vault.deleteSecret(secretId);
  }

  private savedByTokenId(serverId: string): Map<string, string> {
    const map = new Map<string, string>();
    for (const meta of this.vault.secrets({ serverId, purpose: 'api-token' })) {
      const tokenId = meta.attributes.tokenId;
      if (tokenId) map.set(tokenId, meta.id);
    }
    return map;
  }

  private view(token: ProviderToken, savedSecretId: string | null): TokenView {
    return { ...token, savedSecretId };
  }
}
