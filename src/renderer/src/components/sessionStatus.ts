import { displayName } from '../../../shared/displayText';
import type { ServerView } from '../../../shared/model';

/** "Signed in as alice", "Session ended — sign in again" or "Signed out". */
export function sessionStatusText(server: ServerView): string {
  switch (server.session.state) {
    case 'signed-in':
      return `Signed in as ${displayName(server.session.user.name)}`;
    case 'expired':
      return 'Session ended — sign in again';
    default:
      return 'Signed out';
  }
}
