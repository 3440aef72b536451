import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BaseWindow } from 'electron';
import { createCertificatePicker } from './certificatePicker';

const dialog = vi.hoisted(() => ({ showOpenDialog: vi.fn() }));
vi.mock('electron', () => ({ dialog }));

beforeEach(() => dialog.showOpenDialog.mockReset());

// Only isDestroyed() is read from the parent window.
const parent = { isDestroyed: () => false } as unknown as BaseWindow;

describe('createCertificatePicker', () => {
  it('opens a dialog for PEM/CRT/CER files, modal to the window, and returns the path', async () => {
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: ['/home/me/ca.pem'] });
    await expect(createCertificatePicker(() => parent).pickCertificate()).resolves.toBe('/home/me/ca.pem');
    const [window, options] = dialog.showOpenDialog.mock.calls[0] ?? [];
    expect(window).toBe(parent);
    expect(options.filters[0].extensions).toEqual(['pem', 'crt', 'cer']);
    expect(options.properties).toContain('openFile');
    expect(options.properties).not.toContain('multiSelections');
  });

  it('returns null when the person cancels', async () => {
    dialog.showOpenDialog.mockResolvedValue({ canceled: true, filePaths: [] });
    await expect(createCertificatePicker(() => null).pickCertificate()).resolves.toBeNull();
    expect(dialog.showOpenDialog.mock.calls[0]).toHaveLength(1);
  });
});
