import type { ProcedureInput } from '../../../shared/contract';
import type { ServerDescription, ServerView } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';

/** Asks the address whether it answers as a server of the kind, before the server is saved
 * (`id`: the server being edited). Rejects with the core's error, on the URL field when the
 * address is what is wrong. */
export async function checkServer(changes: Omit<ProcedureInput<'servers.check'>, 'id'>, id?: string): Promise<void> {
  await keyport.call('servers.check', id === undefined ? changes : { ...changes, id });
}

/** Adds a server (`id` null) or changes one, and shows it. The add dialog has checked the address
 * already (`checkServer`), or the person chose to keep a server that does not answer yet, so main
 * does not ask it again. */
export async function saveServer(id: string | null, changes: Omit<ProcedureInput<'servers.add'>, 'skipCheck'>): Promise<ServerView> {
  const saved = id ? await keyport.call('servers.update', { id, changes, skipCheck: true }) : await keyport.call('servers.add', { ...changes, skipCheck: true });
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
