import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate } from './appMenu';

vi.mock('electron', () => ({ Menu: {} }));

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [...(item.role ? [item.role] : []), ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]);
}

describe('appMenuTemplate', () => {
  it('has no developer tools or reload in packaged builds', () => {
    const all = roles(appMenuTemplate({ platform: 'linux', developer: false }));
    expect(all).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'windowMenu', 'zoomIn']));
    expect(all).not.toContain('toggleDevTools');
    expect(all).not.toContain('reload');
    expect(all).not.toContain('appMenu');
  });

  it('offers developer tools in development and the app menu on macOS', () => {
    const all = roles(appMenuTemplate({ platform: 'darwin', developer: true }));
    expect(all).toContain('toggleDevTools');
    expect(all[0]).toBe('appMenu');
  });
});
