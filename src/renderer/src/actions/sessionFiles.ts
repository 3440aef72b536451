import type { SessionFileExport, SessionFileLocation, ServerView } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';

export const locateSessionFile = (kind: string): Promise<SessionFileLocation> => keyport.call('sessionFiles.locate', { kind });

/** The imported server appears signed in, shown, with its tokens listed once. */
export async function importSession(kind: string, path: string): Promise<ServerView> {
  const server = await keyport.call('sessionFiles.import', { kind, path });
  const { putServer, select, loadTokens } = useKeyport.getState();
  putServer(server);
  select(server.id);
  void loadTokens(server.id);
  return server;
}

export const exportSession = (serverId: string, path: string, overwrite: boolean): Promise<SessionFileExport> => keyport.call('sessionFiles.export', { serverId, path, overwrite });
export const makeSessionFilePrivate = (kind: string, path: string): Promise<void> => keyport.call('sessionFiles.makePrivate', { kind, path });
