import type { Notification as ElectronNotification, NotificationConstructorOptions } from 'electron';
import type { Notifier } from '../core/ports';

type NotificationClass = {
  new (options: NotificationConstructorOptions): Pick<ElectronNotification, 'show' | 'on'>;
  isSupported(): boolean;
};

/** Reminders as desktop notifications. Where the system has none (or, since Electron 42, an
 * unsigned macOS build), nothing is shown: the app's own "expires soon" badges stay the
 * reliable signal, so a notification that cannot be shown is not an error. Clicking one brings
 * Keyport to the front. */
export function createDesktopNotifier(NotificationImpl: NotificationClass, focus: () => void, onError: (message: string) => void): Notifier {
  return {
    notify({ title, body }) {
      try {
        if (!NotificationImpl.isSupported()) return;
        const notification = new NotificationImpl({ title, body, silent: false });
        notification.on('click', focus);
        notification.show();
      } catch {
        onError('A reminder could not be shown as a desktop notification.');
      }
    },
  };
}
