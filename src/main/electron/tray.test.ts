import type { MenuItemConstructorOptions, NativeImage } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestCore } from '../../../test/support/testCore';
import { startEdsServer } from '../../../test/servers/eds/edsServer';
import { installTray } from './tray';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The tray over the real core, with a fake Tray that keeps the last menu it was given. */
async function setUp() {
  const eds = await startEdsServer();
  cleanups.push(() => eds.close());
  const test = createTestCore();
  cleanups.push(() => test.core.dispose());
  let menu: MenuItemConstructorOptions[] = [];
  let destroyed = false;
  const errors: string[] = [];
  const dispose = installTray({
    createTray: () => ({ setToolTip: () => undefined, setContextMenu: (m) => void (menu = m as unknown as MenuItemConstructorOptions[]), destroy: () => void (destroyed = true) }),
    buildMenu: (template) => template as never,
    icon: {} as NativeImage,
    core: test.core,
    show: () => undefined,
    quit: () => undefined,
    onError: (m) => errors.push(m),
  });
  const server = await test.call('servers.add', { name: 'Prod', kind: 'eds', url: eds.url });
  await test.call('auth.signInWithPassword', { serverId: server.id, username: 'alice', password: 'wonderland-secret' });
  return { test, server, errors, dispose, menu: () => menu, destroyed: () => destroyed };
}
const labels = (menu: MenuItemConstructorOptions[]) => menu.map((i) => i.label ?? '---');

describe('installTray', () => {
  it('redraws when a token is pinned or Keyport locks, and a click copies in the kind’s chosen format', async () => {
    const t = await setUp();
    const created = await t.test.call('tokens.create', { serverId: t.server.id, name: 'deploy', save: true });
    await t.test.call('settings.update', { defaultCopyFormats: { eds: 'raw' } });
    await t.test.call('secrets.pin', { secretId: created.secretId, pinned: true });
    await expect.poll(() => labels(t.menu())).toContain('deploy — Prod');

    (t.menu().find((i) => i.label === 'deploy — Prod')?.click as () => void)();
    await expect.poll(() => t.test.clipboard.text).toBe(created.secret);
    expect(await t.test.call('audit.list')).toMatchObject([{ action: 'token.copied', subject: 'deploy', detail: 'Token only' }, { action: 'token.created' }]);

    await t.test.call('app.lock');
    await expect.poll(() => labels(t.menu())[0]).toBe('Secrets cleared from memory');
    expect(labels(t.menu())).not.toContain('deploy — Prod');
    expect(t.errors).toEqual([]);
    t.dispose();
    expect(t.destroyed()).toBe(true);
  });
});
