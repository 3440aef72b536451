import type { ProcedureInput } from '../../../shared/contract';
import type { ServerDescription, ServerView } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';

/** Adds a server (`id` null) or changes one, and shows it. */
export async function saveServer(id: string | null, changes: ProcedureInput<'servers.add'>): Promise<ServerView> {
  const saved = id ? await keyport.call('servers.update', { id, changes }) : await keyport.call('servers.add', changes);
  const { putServer, select } = useKeyport.getState();
  putServer(saved);
  select(saved.id);
  return saved;
}

export async function removeServer(id: string): Promise<void> {
  await keyport.call('servers.remove', { id });
  useKeyport.getState().dropServer(id);
}

export const pickCertificate = (): Promise<string | null> => keyport.call('servers.pickCertificate');
export const describeServer = (id: string): Promise<ServerDescription> => keyport.call('servers.describe', { id });
