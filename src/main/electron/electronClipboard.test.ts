import { describe, expect, it, vi } from 'vitest';
import { createElectronClipboard } from './electronClipboard';

const clipboard = vi.hoisted(() => {
  let text = '';
  return {
    readText: vi.fn(async () => text),
    writeText: vi.fn(async (value: string) => {
      text = value;
    }),
  };
});
vi.mock('electron', () => ({ clipboard }));

describe('createElectronClipboard', () => {
  it("uses Electron's promise-based clipboard", async () => {
    const port = createElectronClipboard();
    await port.writeText('tok_123');
    expect(clipboard.writeText).toHaveBeenCalledWith('tok_123');
    await expect(port.readText()).resolves.toBe('tok_123');
  });
});
