import { describe, expect, it } from 'vitest';
import { createDesktopNotifier } from './desktopNotifier';

/** A stand-in for Electron's Notification class (no test loads the real `electron`). */
function fakeNotifications(supported: boolean, failOnShow = false) {
  const shown: Array<{ title: string; body: string }> = [];
  const handlers: Array<() => void> = [];
  class FakeNotification {
    private readonly options: { title?: string; body?: string };
    constructor(options: { title?: string; body?: string }) {
      this.options = options;
    }
    static isSupported() {
      return supported;
    }
    on(_event: string, handler: () => void) {
      handlers.push(handler);
      return this;
    }
    show() {
      if (failOnShow) throw new Error('no notification daemon');
      shown.push({ title: this.options.title ?? '', body: this.options.body ?? '' });
    }
  }
  return { FakeNotification: FakeNotification as never, shown, handlers };
}

describe('createDesktopNotifier', () => {
  it('shows the reminder, and a click brings Keyport to the front', () => {
    const { FakeNotification, shown, handlers } = fakeNotifications(true);
    let focused = 0;
    createDesktopNotifier(FakeNotification, () => focused++, () => undefined).notify({ title: 'Key expires in 7 days', body: '“deploy” on Prod expires on 2026-12-01.' });
    expect(shown).toEqual([{ title: 'Key expires in 7 days', body: '“deploy” on Prod expires on 2026-12-01.' }]);
    handlers.forEach((h) => h());
    expect(focused).toBe(1);
  });

  it('shows control and text-direction characters of a server-chosen name visibly (issue 22, item 4)', () => {
    const { FakeNotification, shown } = fakeNotifications(true);
    createDesktopNotifier(FakeNotification, () => undefined, () => undefined).notify({ title: 'Key “a\x1b]0;x\x07” expires', body: '“prod\u202Egnp” on Prod\u2028expires.' });
    expect(shown).toEqual([{ title: 'Key “a\\u{001B}]0;x\\u{0007}” expires', body: '“prod\\u{202E}gnp” on Prod\\u{2028}expires.' }]);
  });

  it('does nothing where notifications are not supported, and never throws when showing fails', () => {
    const unsupported = fakeNotifications(false);
    createDesktopNotifier(unsupported.FakeNotification, () => undefined, () => undefined).notify({ title: 't', body: 'b' });
    expect(unsupported.shown).toEqual([]);
    const failing = fakeNotifications(true, true);
    const errors: string[] = [];
    expect(() => createDesktopNotifier(failing.FakeNotification, () => undefined, (m) => errors.push(m)).notify({ title: 't', body: 'b' })).not.toThrow();
    expect(errors).toEqual(['A reminder could not be shown as a desktop notification.']);
  });
});
