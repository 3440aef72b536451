import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createElectronClipboard } from './electronClipboard';

/** Electron's ClipboardItem and promise-based clipboard, as far as the adapter uses them. */
const electron = vi.hoisted(() => {
  class ClipboardItem {
    readonly items: Record<string, string | Blob>;
    constructor(items: Record<string, string | Blob>) {
      this.items = items;
    }
    get types() {
      return Object.keys(this.items);
    }
  }
  let text = '';
  const clipboard = {
    readText: vi.fn(async () => text),
    writeText: vi.fn(async (value: string) => {
      text = value;
    }),
    write: vi.fn(async (items: ClipboardItem[]) => {
      text = String(items[0]?.items['text/plain'] ?? '');
    }),
  };
  return { clipboard, ClipboardItem };
});
vi.mock('electron', () => electron);

const { clipboard } = electron;

/** What the adapter's one write() put on the clipboard: each format with its payload as text or
 * as bytes. */
async function written(): Promise<Record<string, string | number[]>> {
  expect(clipboard.write).toHaveBeenCalledTimes(1);
  const items = clipboard.write.mock.calls[0]![0];
  expect(items).toHaveLength(1);
  const entries = Object.entries(items[0]!.items);
  return Object.fromEntries(await Promise.all(entries.map(async ([format, payload]) => [format, typeof payload === 'string' ? payload : [...new Uint8Array(await payload.arrayBuffer())]] as const)));
}

describe('createElectronClipboard', () => {
  beforeEach(() => {
    vi.clearAllMocks();
  });

  it("reads through Electron's promise-based clipboard and writes with write(), never writeText()", async () => {
    const port = createElectronClipboard('linux');
    await port.writeText('tok_123');
    await expect(port.readText()).resolves.toBe('tok_123');
    expect(clipboard.writeText).not.toHaveBeenCalled();
  });

  it('marks a copy concealed on macOS (org.nspasteboard.ConcealedType)', async () => {
    await createElectronClipboard('darwin').writeText('tok_123');
    expect(await written()).toEqual({
      'text/plain': 'tok_123',
      'electron application/osclipboard;format="org.nspasteboard.ConcealedType"': '',
    });
  });

  it('keeps a copy out of clipboard monitors, history and the cloud clipboard on Windows', async () => {
    await createElectronClipboard('win32').writeText('tok_123');
    expect(await written()).toEqual({
      'text/plain': 'tok_123',
      'electron application/osclipboard;format="ExcludeClipboardContentFromMonitorProcessing"': [0, 0, 0, 0],
      'electron application/osclipboard;format="CanIncludeInClipboardHistory"': [0, 0, 0, 0],
      'electron application/osclipboard;format="CanUploadToCloudClipboard"': [0, 0, 0, 0],
    });
  });

  it.each(['linux', 'freebsd', 'openbsd'] as const)('marks a copy as a password on %s (x-kde-passwordManagerHint = secret)', async (platform) => {
    await createElectronClipboard(platform).writeText('tok_123');
    expect(await written()).toEqual({
      'text/plain': 'tok_123',
      'electron application/osclipboard;format="x-kde-passwordManagerHint"': 'secret',
    });
  });

  it('marks the clearing write too, so no history tool keeps even the blank', async () => {
    await createElectronClipboard('darwin').writeText('');
    expect(await written()).toEqual({ 'text/plain': '', 'electron application/osclipboard;format="org.nspasteboard.ConcealedType"': '' });
  });
});
