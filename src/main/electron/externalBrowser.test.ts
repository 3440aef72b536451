import { describe, expect, it, vi } from 'vitest';
import { createExternalBrowser } from './externalBrowser';

describe('createExternalBrowser', () => {
  it('opens web pages in the system browser', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    await createExternalBrowser(shell).open('https://auth.example.com/authorize?client_id=x');
    expect(shell.openExternal).toHaveBeenCalledWith('https://auth.example.com/authorize?client_id=x', { activate: true });
  });

  it('never hands file:, javascript: or custom schemes to the system', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    const browser = createExternalBrowser(shell);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-settings:', 'not a url']) {
      await expect(browser.open(url)).rejects.toMatchObject({ code: 'VALIDATION' });
    }
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('says so when no browser can be opened', async () => {
    const shell = { openExternal: vi.fn(async () => Promise.reject(new Error('no handler'))) };
    await expect(createExternalBrowser(shell).open('https://auth.example.com/')).rejects.toMatchObject({ code: 'UNSUPPORTED', message: 'Keyport could not open your browser.' });
  });
});
