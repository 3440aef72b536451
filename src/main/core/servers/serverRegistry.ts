import { randomUUID } from 'node:crypto';
import type { ServerDescription, ServerView } from '../../../shared/model';
import { normalizeServerUrl, type serverInputSchema } from '../../../shared/schemas';
import type { z } from 'zod';
import { KeyportError } from '../errors';
import type { Provider, ServerContext } from '../providers/provider';
import type { ProviderRegistry } from '../providers/registry';
import type { SessionService } from '../sessions/sessionService';
import type { ServerRecord } from '../vault/records';
import { serverNameTaken, type Vault } from '../vault/vault';
import { readCaCertificate } from './serverTarget';

type ServerInput = z.output<typeof serverInputSchema>;

/** A secret setting of a server (FieldDescriptor.secret), from the vault; null when none. */
export async function readSecretSetting(vault: Vault, serverId: string, fieldId: string): Promise<string | null> {
  const meta = vault.secrets({ serverId, purpose: 'server-setting' }).find((m) => m.name === fieldId);
  return meta ? vault.readSecret(meta.id) : null;
}

/** Add, edit and remove server definitions. Secret settings (a client secret) are split off
 * the options and kept in the vault, encrypted like every other secret. */
export class ServerRegistry {
  private readonly deps: {
    vault: Vault;
    providers: ProviderRegistry;
    sessions: SessionService;
    now: () => Date;
    /** Builds a provider context, for kinds that check the server when it is added. */
    contextFor?: ((server: ServerRecord) => Promise<ServerContext>) | undefined;
  };

  constructor(deps: ServerRegistry['deps']) {
    this.deps = deps;
  }

  list(): ServerView[] {
    return this.deps.vault.servers().map((s) => this.view(s));
  }

  /** `skipProbe`: the window checked the address already (`checkAddress`), or the person chose
   * to add the server anyway after a failed check (a server offline on purpose). */
  async add(input: ServerInput, { skipProbe = false }: { skipProbe?: boolean } = {}): Promise<ServerView> {
    const { secrets, ...checked } = await this.check(input, null);
    const record: ServerRecord = { id: randomUUID(), createdAt: this.deps.now().toISOString(), ...checked };
    if (!skipProbe) await this.probe(record, secrets);
    this.deps.vault.putServer(record);
    await this.saveSecretSettings(record.id, secrets);
    return this.view(record);
  }

  async update(id: string, input: ServerInput, { skipProbe = false }: { skipProbe?: boolean } = {}): Promise<ServerView> {
    const current = this.deps.vault.server(id);
    const { secrets, ...checked } = await this.check(input, id);
    const next: ServerRecord = { ...current, ...checked };
    const moved = next.url !== current.url || next.kind !== current.kind || next.caCertificatePath !== current.caCertificatePath || next.allowInsecureTls !== current.allowInsecureTls;
    if (!skipProbe && (moved || secrets.size > 0)) await this.probe(next, secrets);
    // A session belongs to the server it was opened on: moving the URL or changing the kind
    // (or the client it signed in as) signs out rather than sending one server's token to another.
    // The session is ended at the server first, with the settings it was opened with.
    if (next.url !== current.url || next.kind !== current.kind || !sameOptions(next.options, current.options) || secrets.size > 0) await this.deps.sessions.signOutAtServer(id, current);
    this.deps.vault.putServer(next);
    await this.saveSecretSettings(id, secrets);
    return this.view(next);
  }

  /** What the server says about itself (OpenID Connect discovery), for the server's page. */
  async describe(id: string): Promise<ServerDescription> {
    const server = this.deps.vault.server(id);
    const provider = this.deps.providers.get(server.kind);
    if (!provider.describeServer || !provider.descriptor.serverDescription || !this.deps.contextFor) {
      throw new KeyportError('UNSUPPORTED', `${provider.descriptor.label} servers have nothing more to describe.`);
    }
    const facts = await provider.describeServer(await this.deps.contextFor(server));
    return { title: provider.descriptor.serverDescription.title, facts };
  }

  /** Checks a server before the window saves it: its settings as `add` (or `update` of `id`)
   * does, then one cheap request without credentials (Provider.probeServer, or describeServer),
   * for every kind. What fails because of the address (no answer, a web page, a 404, another kind
   * of server) is said on the address field, so the person fixes it before signing in. */
  async checkAddress(input: ServerInput, id: string | null): Promise<void> {
    const { secrets, ...checked } = await this.check(input, id);
    const current = id === null ? null : this.deps.vault.server(id);
    const record: ServerRecord = { id: id ?? 'unsaved', createdAt: current?.createdAt ?? this.deps.now().toISOString(), ...checked };
    const provider = this.deps.providers.get(record.kind);
    try {
      if (provider.probeServer && this.deps.contextFor) await provider.probeServer(await this.deps.contextFor(record));
      else await this.probe(record, secrets);
    } catch (error) {
      // No answer at all (refused, timed out, a TLS failure) is about the address too.
      if (error instanceof KeyportError && error.field === undefined && error.code !== 'CANCELLED') {
        throw new KeyportError(error.code, error.message, { hint: error.hint, field: 'url', cause: error });
      }
      throw error;
    }
  }

  /** Kinds that can describe the server are checked before it is saved, so a wrong address
   * (not an OpenID Connect issuer) is said at once, on the address field. */
  private async probe(record: ServerRecord, secrets: ReadonlyMap<string, string>): Promise<void> {
    const provider = this.deps.providers.get(record.kind);
    if (!provider.describeServer || !this.deps.contextFor) return;
    const ctx = await this.deps.contextFor(record);
    const saved = ctx.secretSetting;
    await provider.describeServer({ ...ctx, secretSetting: async (field) => secrets.get(field) ?? (saved ? saved(field) : null) });
  }

  private async saveSecretSettings(serverId: string, secrets: ReadonlyMap<string, string>): Promise<void> {
    const { vault } = this.deps;
    if (secrets.size === 0) return;
    const replaced = vault.secrets({ serverId, purpose: 'server-setting' }).filter((m) => secrets.has(m.name));
    const savedAt = this.deps.now().toISOString();
    await vault.putSecrets([...secrets].map(([field, value]) => ({ meta: { id: randomUUID(), serverId, purpose: 'server-setting' as const, name: field, savedAt, attributes: {} }, value })));
    for (const meta of replaced) vault.deleteSecret(meta.id);
  }

  /** Removes the server, after ending its session at the server (RFC 7009 revocation where the
   * kind offers it; a notification says so when that failed). */
  async remove(id: string): Promise<void> {
    await this.deps.sessions.endBeforeRemoval(id);
    this.deps.vault.removeServer(id);
  }

  view(server: ServerRecord): ServerView {
    return {
      id: server.id,
      name: server.name,
      kind: server.kind,
      url: server.url,
      allowInsecureTls: server.allowInsecureTls,
      caCertificatePath: server.caCertificatePath,
      options: { ...server.options },
      createdAt: server.createdAt,
      session: this.deps.sessions.view(server.id),
      ...this.savedSecretFields(server),
    };
  }

  private savedSecretFields(server: ServerRecord): { savedSecretFields?: string[] } {
    const secretFields = secretFieldIds(this.deps.providers.get(server.kind));
    if (secretFields.size === 0) return {};
    return { savedSecretFields: this.deps.vault.secrets({ serverId: server.id, purpose: 'server-setting' }).map((m) => m.name).filter((name) => secretFields.has(name)) };
  }

  private async check(input: ServerInput, id: string | null): Promise<Omit<ServerRecord, 'id' | 'createdAt'> & { secrets: Map<string, string> }> {
    const provider = this.deps.providers.get(input.kind);
    const name = input.name;
    const clash = this.deps.vault.servers().find((s) => s.id !== id && s.name.toLocaleLowerCase() === name.toLocaleLowerCase());
    // Said before the slower checks below; Vault.putServer checks again as it writes.
    if (clash) throw serverNameTaken(name);
    if (input.caCertificatePath) await readCaCertificate(input.caCertificatePath);
    // Only the settings the kind declares are kept; the provider checks their values.
    const declared = new Set(provider.descriptor.serverFields.map((f) => f.id));
    const secretFields = secretFieldIds(provider);
    const options = Object.fromEntries(Object.entries(input.options).filter(([key, value]) => declared.has(key) && !secretFields.has(key) && value !== ''));
    // Secret settings never reach the options (which are stored and shown in clear). Empty
    // keeps the saved value: the renderer never has it to send back.
    const secrets = new Map(Object.entries(input.options).filter(([key, value]) => secretFields.has(key) && value !== ''));
    for (const [field, value] of secrets) {
      if (/\p{Cc}/u.test(value)) throw new KeyportError('VALIDATION', 'A secret is one line without control characters; paste only the secret.', { field });
    }
    for (const field of provider.descriptor.serverFields) {
      if (field.required && !field.secret && !options[field.id]) {
        throw new KeyportError('VALIDATION', `Enter the ${field.label.toLowerCase()}.`, { field: field.id });
      }
    }
    const checked = provider.checkServer?.(normalizeServerUrl(input.url), options) ?? { url: normalizeServerUrl(input.url), options };
    return {
      name,
      kind: input.kind,
      url: checked.url,
      allowInsecureTls: input.allowInsecureTls,
      caCertificatePath: input.caCertificatePath,
      options: checked.options,
      secrets,
    };
  }
}

const secretFieldIds = (provider: Provider): Set<string> => new Set(provider.descriptor.serverFields.filter((f) => f.secret).map((f) => f.id));

/** Two servers' kind-specific settings are the same. */
export function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
