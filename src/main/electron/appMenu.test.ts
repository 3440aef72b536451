import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate } from './appMenu';

vi.mock('electron', () => ({ Menu: {} }));

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [...(item.role ? [item.role] : []), ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]);
}

const NOOP = { command: () => undefined, lock: () => undefined, lockLabel: 'Lock Keyport' };

describe('appMenuTemplate', () => {
  it('has no developer tools or reload in packaged builds', () => {
    const all = roles(appMenuTemplate({ ...NOOP, platform: 'linux', developer: false }));
    expect(all).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'windowMenu', 'zoomIn']));
    expect(all).not.toContain('toggleDevTools');
    expect(all).not.toContain('reload');
    expect(all).not.toContain('appMenu');
  });

  it('offers developer tools in development and the app menu on macOS', () => {
    const all = roles(appMenuTemplate({ ...NOOP, platform: 'darwin', developer: true }));
    expect(all).toContain('toggleDevTools');
    expect(all[0]).toBe('appMenu');
  });

  it('has Keyport’s commands with their shortcuts, each carried out in the window', () => {
    const commands: string[] = [];
    let locked = 0;
    const template = appMenuTemplate({ platform: 'linux', developer: false, command: (c) => commands.push(c), lock: () => locked++, lockLabel: 'Lock Keyport' });
    const keyport = template.find((item) => item.label === 'Keyport');
    const items = (keyport?.submenu as MenuItemConstructorOptions[]).filter((i) => i.type !== 'separator');
    expect(items.map((i) => [i.label, i.accelerator])).toEqual([
      ['Search…', 'CmdOrCtrl+K'],
      ['Overview', 'CmdOrCtrl+0'],
      ['Add server…', 'CmdOrCtrl+N'],
      ['Activity', 'CmdOrCtrl+Shift+A'],
      ['Settings…', 'CmdOrCtrl+,'],
      ['Lock Keyport', 'CmdOrCtrl+L'],
    ]);
    for (const item of items) (item.click as () => void)();
    expect(commands).toEqual(['search', 'overview', 'add-server', 'activity', 'settings']);
    expect(locked).toBe(1);
    // No two items share a shortcut.
    const accelerators = items.map((i) => i.accelerator);
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });
});
