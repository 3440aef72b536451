/** Test-only: the core harness (coreHarness.ts) with a reference Tapis server and a temporary
 * home folder, for the tests of Tapis sessions and session files through the real core.
 * Imported only by *.test.ts files; nothing in the app loads it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTapisServer, type TapisServer } from '../servers/tapis/tapisServer';
import type { ServerView, SessionView } from '../../src/shared/model';
import { useCoreHarness, type Harness } from './coreHarness';
import type { FileTrust } from '../../src/main/core/sessionFiles/filePermissions';

/** The reference server's password for alice. */
export const ALICE_PASSWORD = 'wonderland-secret';

export interface TapisHarness {
  h: Harness;
  tapis: TapisServer;
  /** A temporary folder the core takes as the home directory. */
  home: string;
  /** Adds the Tapis server to Keyport (tenant id as the server reports it); returns its id. */
  addServer(): Promise<string>;
  /** Signs alice in with a password (Keyport creates the OAuth client). */
  signIn(serverId: string, options?: { rememberPassword?: boolean }): Promise<ServerView>;
  /** The server's session as servers.list shows it. */
  session(serverId: string): Promise<SessionView | undefined>;
  /** POST /token requests that reached the server so far. */
  tokenPosts(): number;
  /** Moves Keyport's clock on without running its timers (the idle lock would fire). */
  advanceClock(ms: number): void;
}

/** Call once at a test file's top level. `env` is the environment the core sees (default `{}`,
 * so the machine's variables change nothing); `$HOME` in a value is replaced by the home folder. */
export function useTapisHarness(): {
  cleanups: Array<() => Promise<void>>;
  tapisHarness(options?: { env?: Record<string, string>; accessTokenLifetimeSeconds?: number; fileTrust?: FileTrust }): Promise<TapisHarness>;
} {
  const { cleanups, harness } = useCoreHarness();

  async function tapisHarness(options: { env?: Record<string, string>; accessTokenLifetimeSeconds?: number; fileTrust?: FileTrust } = {}): Promise<TapisHarness> {
    const tapis = await startTapisServer({ accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds });
    cleanups.push(() => tapis.close());
    const home = mkdtempSync(join(tmpdir(), 'keyport-home-'));
    cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
    const env = Object.fromEntries(Object.entries(options.env ?? {}).map(([k, v]) => [k, v.replaceAll('$HOME', home)]));
    const h = await harness({ env, homeDir: home, fileTrust: options.fileTrust });
    return {
      h,
      tapis,
      home,
      async addServer() {
        return (await h.call('servers.add', { name: 'Test Tapis', kind: 'tapis', url: tapis.url, options: { tenantId: tapis.tenantId } })).id;
      },
      signIn: (serverId, signInOptions = {}) =>
        h.call('auth.signInWithPassword', { serverId, username: 'alice', password: ALICE_PASSWORD, rememberPassword: signInOptions.rememberPassword ?? false }),
      async session(serverId) {
        return (await h.call('servers.list')).find((s) => s.id === serverId)?.session;
      },
      tokenPosts: () => tapis.requestLog.filter((e) => e.path === '/token').length,
      advanceClock(ms) {
        h.timers.current += ms;
      },
    };
  }

  return { cleanups, tapisHarness };
}
