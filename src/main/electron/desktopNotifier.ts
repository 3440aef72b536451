import type { Notification as ElectronNotification, NotificationConstructorOptions } from 'electron';
import type { Notifier } from '../core/ports';
import { visibleText } from '../../shared/displayText';

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
        // The text holds server-chosen names (cut where they were put in): nothing hidden or
        // reordering may reach the system's notification.
        const notification = new NotificationImpl({ title: visibleText(title), body: visibleText(body), silent: false });
        notification.on('click', focus);
        notification.show();
      } catch {
        onError('A reminder could not be shown as a desktop notification.');
      }
    },
  };
}
