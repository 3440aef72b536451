import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTouchIdCheck } from './touchIdCheck';

const systemPreferences = vi.hoisted(() => ({ canPromptTouchID: vi.fn(), promptTouchID: vi.fn() }));
vi.mock('electron', () => ({ systemPreferences }));

beforeEach(() => {
  systemPreferences.canPromptTouchID.mockReset();
  systemPreferences.promptTouchID.mockReset();
});

describe('createTouchIdCheck', () => {
  it('offers Touch ID on macOS when the Mac can ask, and confirms only when the prompt resolves', async () => {
    const check = createTouchIdCheck('darwin');
    systemPreferences.canPromptTouchID.mockReturnValue(true);
    expect(check?.label).toBe('Touch ID');
    expect(check?.available()).toBe(true);
    systemPreferences.promptTouchID.mockResolvedValueOnce(undefined).mockRejectedValueOnce(new Error('Touch ID cancelled'));
    await expect(check?.confirm('unlock Keyport')).resolves.toBe(true);
    await expect(check?.confirm('unlock Keyport')).resolves.toBe(false);
    expect(systemPreferences.promptTouchID).toHaveBeenCalledWith('unlock Keyport');
  });

  it('is unavailable on a Mac without Touch ID, and never throws', () => {
    const check = createTouchIdCheck('darwin');
    systemPreferences.canPromptTouchID.mockReturnValueOnce(false).mockImplementationOnce(() => {
      throw new Error('not supported');
    });
    expect(check?.available()).toBe(false);
    expect(check?.available()).toBe(false);
  });

  it('does not exist on Windows and Linux', () => {
    expect(createTouchIdCheck('win32')).toBeUndefined();
    expect(createTouchIdCheck('linux')).toBeUndefined();
    expect(systemPreferences.canPromptTouchID).not.toHaveBeenCalled();
  });
});
