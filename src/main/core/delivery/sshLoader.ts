import { loadOnFirstUse } from '../loadOnFirstUse';

/** sshTransport.ts (ssh2, ssh-config), loaded at the first delivery, withdrawal or rotation
 * that connects to a machine. */
export const loadSshTransport = loadOnFirstUse({ library: 'its SSH library (ssh2)', feature: 'delivering a token to a machine' }, () => import('./sshTransport'));
