import type { Core, CoreAdapters } from './core';
import { createRouter } from './api/router';
import { ClipboardService } from './clipboard/clipboardService';
import { EventHub } from './events';
import { createHttpClient } from './http/httpClient';
import { createProviderRegistry } from './providers/registry';
import { createTargetResolver } from './servers/serverTarget';
import { ServerRegistry } from './servers/serverRegistry';
import { SessionService } from './sessions/sessionService';
import { EphemeralSecrets } from './tokens/ephemeralSecrets';
import { TokenService } from './tokens/tokenService';
import { systemTimers } from './ports';
import { Vault } from './vault/vault';

/** The composition root shared by the Electron app and the browser host: only the adapters
 * differ. */
export function createCore(adapters: CoreAdapters): Core {
  const timers = adapters.timers ?? systemTimers;
  const now = () => new Date(timers.now());
  const events = new EventHub();
  const vault = new Vault(adapters.store, adapters.cipher, adapters.logger);
  const providers = createProviderRegistry();
  const http = createHttpClient({
    timeoutMs: () => vault.settings().requestTimeoutSeconds * 1000,
    userAgent: `Keyport/${adapters.appVersion}`,
    lookup: adapters.lookup,
  });
  const targetFor = createTargetResolver();
  const sessions = new SessionService({
    vault,
    providers,
    events,
    now,
    contextFor: async (server) => ({ server, target: await targetFor(server), http }),
  });
  const ephemeral = new EphemeralSecrets(timers);
  const servers = new ServerRegistry({ vault, providers, sessions, now });
  const tokens = new TokenService({ vault, sessions, ephemeral, now });
  const clipboard = new ClipboardService({ clipboard: adapters.clipboard, vault, providers, ephemeral, events, timers, logger: adapters.logger });

  const handle = createRouter(
    {
      'app.status': () => ({ version: adapters.appVersion, storage: vault.storage() }),
      'kinds.list': () => providers.descriptors(),
      'servers.list': () => servers.list(),
      'servers.add': (input) => servers.add(input),
      'servers.update': ({ id, changes }) => servers.update(id, changes),
      'servers.remove': ({ id }) => servers.remove(id),
      'servers.pickCertificate': () => adapters.filePicker.pickCertificate(),
      'auth.signInWithPassword': async ({ serverId, username, password }) => {
        await sessions.signInWithPassword(serverId, username, password);
        return servers.view(vault.server(serverId));
      },
      'auth.signInWithToken': async ({ serverId, token }) => {
        await sessions.signInWithToken(serverId, token);
        return servers.view(vault.server(serverId));
      },
      'auth.signOut': ({ serverId }) => {
        const server = vault.server(serverId);
        sessions.signOut(serverId);
        return servers.view(server);
      },
      'tokens.list': ({ serverId }) => tokens.list(serverId),
      'tokens.create': ({ serverId, name, save }) => tokens.create(serverId, name, save),
      'tokens.revoke': ({ serverId, tokenId }) => tokens.revoke(serverId, tokenId),
      'secrets.list': () => tokens.saved(),
      'secrets.forget': ({ secretId }) => tokens.forget(secretId),
      'clipboard.copy': ({ secretId, format }) => clipboard.copy(secretId, format),
      'settings.get': () => vault.settings(),
      'settings.update': (changes) => vault.updateSettings(changes),
    },
    adapters.logger,
  );

  return {
    handle,
    onEvent: (listener) => events.on(listener),
    async dispose() {
      await clipboard.clearNow();
      ephemeral.clear();
      await http.close();
    },
  };
}
