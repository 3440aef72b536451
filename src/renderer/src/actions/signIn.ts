import type { ProcedureInput } from '../../../shared/contract';
import type { DeviceSignInCode, ServerView } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';

/** Sign-in and session actions. Main answers with the server's new view, which is put in the
 * store as it is (no reload); a new sign-in then lists the server's tokens once. */

function signedIn(server: ServerView): ServerView {
  const { putServer, loadTokens } = useKeyport.getState();
  putServer(server);
  void loadTokens(server.id);
  return server;
}

function put(server: ServerView): ServerView {
  useKeyport.getState().putServer(server);
  return server;
}

export const signInWithPassword = async (request: ProcedureInput<'auth.signInWithPassword'>) => signedIn(await keyport.call('auth.signInWithPassword', request));
export const signInWithToken = async (serverId: string, token: string) => signedIn(await keyport.call('auth.signInWithToken', { serverId, token }));
export const signInWithBrowser = async (serverId: string) => signedIn(await keyport.call('auth.signInWithBrowser', { serverId, force: false }));
/** The CLIs' `login --force`: a new session in place of one that is still valid. */
export const signInAgainWithBrowser = async (serverId: string) => put(await keyport.call('auth.signInWithBrowser', { serverId, force: true }));
export const finishDeviceSignIn = async (serverId: string) => signedIn(await keyport.call('auth.finishDeviceSignIn', { serverId }));

/** The code to show, or null when the server is already signed in (its view is then taken
 * from main, which has no event for a session that did not change). */
export async function startDeviceSignIn(serverId: string): Promise<DeviceSignInCode | null> {
  const code = await keyport.call('auth.startDeviceSignIn', { serverId, force: false });
  if (code === null) {
    const self = (await keyport.call('servers.list').catch(() => [])).find((s) => s.id === serverId);
    if (self) put(self);
  }
  return code;
}

export const openDeviceVerification = (serverId: string): Promise<void> => keyport.call('auth.openDeviceVerification', { serverId });
/** Stops waiting for a browser, a device code or a confirmation in the browser. */
export const cancelSignIn = (serverId: string): Promise<void> => keyport.call('auth.cancelSignIn', { serverId }).catch(() => undefined);
export const signOut = async (serverId: string, removeFromSessionFile: boolean) => put(await keyport.call('auth.signOut', { serverId, removeFromSessionFile }));
export const refreshSession = async (serverId: string) => put(await keyport.call('auth.refresh', { serverId }));
