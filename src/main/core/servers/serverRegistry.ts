import { randomUUID } from 'node:crypto';
import type { ServerView } from '../../../shared/model';
import { normalizeServerUrl, type serverInputSchema } from '../../../shared/schemas';
import type { z } from 'zod';
import { KeyportError } from '../errors';
import type { ProviderRegistry } from '../providers/registry';
import type { SessionService } from '../sessions/sessionService';
import type { ServerRecord } from '../vault/records';
import type { Vault } from '../vault/vault';
import { readCaCertificate } from './serverTarget';

type ServerInput = z.output<typeof serverInputSchema>;

/** Add, edit and remove server definitions. */
export class ServerRegistry {
  private readonly deps: { vault: Vault; providers: ProviderRegistry; sessions: SessionService; now: () => Date };

  constructor(deps: ServerRegistry['deps']) {
    this.deps = deps;
  }

  list(): ServerView[] {
    return this.deps.vault.servers().map((s) => this.view(s));
  }

  async add(input: ServerInput): Promise<ServerView> {
    const record: ServerRecord = { id: randomUUID(), createdAt: this.deps.now().toISOString(), ...(await this.check(input, null)) };
    this.deps.vault.putServer(record);
    return this.view(record);
  }

  async update(id: string, input: ServerInput): Promise<ServerView> {
    const current = this.deps.vault.server(id);
    const next: ServerRecord = { ...current, ...(await this.check(input, id)) };
    // A session belongs to the server it was opened on: moving the URL or changing the kind
    // signs out rather than sending one server's token to another.
    if (next.url !== current.url || next.kind !== current.kind || !sameOptions(next.options, current.options)) this.deps.sessions.signOut(id);
    this.deps.vault.putServer(next);
    return this.view(next);
  }

  remove(id: string): void {
    this.deps.vault.server(id);
    this.deps.sessions.signOut(id);
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
    };
  }

  private async check(input: ServerInput, id: string | null): Promise<Omit<ServerRecord, 'id' | 'createdAt'>> {
    const provider = this.deps.providers.get(input.kind);
    const name = input.name;
    const clash = this.deps.vault.servers().find((s) => s.id !== id && s.name.toLocaleLowerCase() === name.toLocaleLowerCase());
    if (clash) {
      throw new KeyportError('CONFLICT', `A server named “${name}” is already in Keyport.`, { hint: 'Choose another name.', field: 'name' });
    }
    if (input.caCertificatePath) await readCaCertificate(input.caCertificatePath);
    // Only the settings the kind declares are kept; the provider checks their values.
    const declared = new Set(provider.descriptor.serverFields.map((f) => f.id));
    const options = Object.fromEntries(Object.entries(input.options).filter(([key, value]) => declared.has(key) && value !== ''));
    for (const field of provider.descriptor.serverFields) {
      if (field.required && !options[field.id]) {
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
    };
  }
}

/** Two servers' kind-specific settings are the same. */
export function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
