import type { Settings } from '../../../shared/model';
import { KeyportError } from '../errors';
import type { ProviderRegistry } from '../providers/registry';
import type { Vault } from '../vault/vault';

/** Changing the settings: a default copy format must be one the kind offers for its tokens, and
 * whoever depends on a setting (the idle lock's minutes) hears of the change. */
export class SettingsService {
  private readonly deps: { vault: Vault; providers: ProviderRegistry; changed(): void };

  constructor(deps: { vault: Vault; providers: ProviderRegistry; changed(): void }) {
    this.deps = deps;
  }

  update(changes: Partial<Settings>): Settings {
    if (changes.defaultCopyFormats) this.checkCopyFormats(changes.defaultCopyFormats);
    const updated = this.deps.vault.updateSettings(changes);
    this.deps.changed();
    return updated;
  }

  private checkCopyFormats(formats: Record<string, string>): void {
    for (const [kind, format] of Object.entries(formats)) {
      const descriptor = this.deps.providers.descriptors().find((d) => d.kind === kind);
      if (!descriptor?.copyFormats.some((f) => f.id === format)) {
        throw new KeyportError('VALIDATION', descriptor ? `${descriptor.label} tokens have no copy format “${format.slice(0, 40)}”.` : `Keyport does not know servers of kind “${kind.slice(0, 40)}”.`, {
          field: 'defaultCopyFormats',
        });
      }
    }
  }
}
