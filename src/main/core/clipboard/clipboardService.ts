import type { CopyResult } from '../../../shared/model';
import type { AuditLog } from '../audit/auditLog';
import { KeyportError } from '../errors';
import type { EventHub } from '../events';
import type { Clipboard, Logger, Timers } from '../ports';
import type { ProviderRegistry } from '../providers/registry';
import type { SessionService } from '../sessions/sessionService';
import type { EphemeralSecrets } from '../tokens/ephemeralSecrets';
import type { Vault } from '../vault/vault';
import { renderCopyText } from './copyFormats';

/** Copies a secret, by id, in a format its consumer expects, and clears the clipboard after the
 * configured delay if it still holds what Keyport put there. The renderer never sees the value. */
export class ClipboardService {
  private pending: { text: string; cancel(): void } | null = null;
  private readonly deps: {
    clipboard: Clipboard;
    vault: Vault;
    providers: ProviderRegistry;
    sessions: SessionService;
    ephemeral: EphemeralSecrets;
    events: EventHub;
    timers: Timers;
    logger: Logger;
    audit: AuditLog;
  };

  constructor(deps: ClipboardService['deps']) {
    this.deps = deps;
  }

  async copy(secretId: string, format: string): Promise<CopyResult> {
    const { vault, providers } = this.deps;
    const secret = await this.resolve(secretId);
    const server = vault.server(secret.serverId);
    const provider = providers.get(server.kind);
    const descriptor = provider.descriptor.copyFormats.find((f) => f.id === format);
    if (!descriptor) {
      throw new KeyportError('VALIDATION', `${provider.descriptor.label} tokens cannot be copied as “${format}”.`, { field: 'format' });
    }
    const attributes = secret.attributes ?? {};
    const text = provider.renderTokenCopy?.(format, secret.value, attributes, server) ?? renderCopyText(format, secret.value, provider.copyEnvironment(server, secret.value, attributes));
    const result = await this.place(text, `${secret.name} (${descriptor.label})`);
    this.deps.audit.record(server, 'token.copied', secret.name, descriptor.label);
    return result;
  }

  /** Copies something of the server's live session (an access token, a whole session file),
   * refreshed first when it is about to expire. */
  async copySession(serverId: string, format: string): Promise<CopyResult> {
    const server = this.deps.vault.server(serverId);
    const provider = this.deps.providers.get(server.kind);
    const descriptor = provider.descriptor.sessionCopyFormats.find((f) => f.id === format);
    if (!descriptor || !provider.renderSessionCopy) {
      throw new KeyportError('VALIDATION', `The session of a ${provider.descriptor.label} server cannot be copied as “${format}”.`, { field: 'format' });
    }
    const material = await this.deps.sessions.material(serverId);
    const result = await this.place(provider.renderSessionCopy(server, material, format), `${server.name}: ${descriptor.label}`);
    this.deps.audit.record(server, 'session.copied', null, descriptor.label);
    return result;
  }

  private async place(text: string, label: string): Promise<CopyResult> {
    const { timers } = this.deps;
    await this.deps.clipboard.writeText(text);
    this.pending?.cancel();
    const seconds = this.deps.vault.settings().clipboardClearSeconds;
    const timer = timers.setTimeout(() => void this.clearIfUnchanged(text), seconds * 1000);
    this.pending = { text, cancel: () => timer.cancel() };
    const clearsAt = timers.now() + seconds * 1000;
    this.deps.events.emit('clipboard', { state: 'copied', label, clearsAt, seconds });
    return { clearsAt, seconds };
  }

  /** Clears now if Keyport's copy is still there (on quit, or when the app locks). */
  async clearNow(): Promise<void> {
    if (this.pending) await this.clearIfUnchanged(this.pending.text);
  }

  private async clearIfUnchanged(text: string): Promise<void> {
    this.pending?.cancel();
    this.pending = null;
    try {
      if ((await this.deps.clipboard.readText()) === text) {
        await this.deps.clipboard.writeText('');
        this.deps.events.emit('clipboard', { state: 'cleared' });
      } else {
        this.deps.events.emit('clipboard', { state: 'replaced' });
      }
    } catch {
      this.deps.logger.warn('clipboard: could not clear the clipboard');
    }
  }

  private async resolve(secretId: string): Promise<{ serverId: string; name: string; value: string; attributes?: Record<string, string> | undefined }> {
    const once = this.deps.ephemeral.get(secretId);
    if (once) return once;
    const meta = this.deps.vault.secretMeta(secretId);
    if (!meta || meta.purpose !== 'api-token') {
      throw new KeyportError('NOT_FOUND', 'That token is no longer available to copy.', {
        hint: 'Tokens that were not saved can be copied only for 10 minutes after they are created.',
      });
    }
    const value = await this.deps.vault.readSecret(secretId);
    if (value === null) throw new KeyportError('NOT_FOUND', 'That token is no longer available to copy.');
    return { serverId: meta.serverId, name: meta.name, value, attributes: meta.attributes };
  }
}
