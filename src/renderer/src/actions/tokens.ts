import type { ProcedureInput } from '../../../shared/contract';
import type { CreatedToken, RevokeResult } from '../../../shared/model';
import { keyport } from '../api';
import { useKeyport } from '../store';

/** Token actions. Main has no event for a server's own token list, so an action that changes
 * it reloads that list once (with the password it was given, for kinds that list with it).
 * The saved list and the servers reload on main's events only (events.ts). */

export async function createToken(request: ProcedureInput<'tokens.create'>): Promise<CreatedToken> {
  const created = await keyport.call('tokens.create', request);
  void useKeyport.getState().loadTokens(request.serverId, request.password);
  return created;
}

export async function revokeToken(request: ProcedureInput<'tokens.revoke'>): Promise<RevokeResult> {
  const result = await keyport.call('tokens.revoke', request);
  // Revoking the token Keyport's own session used signs it out: main says so (servers.changed).
  if (!result.signedOut) void useKeyport.getState().loadTokens(request.serverId, request.password);
  return result;
}

/** Several tokens, one after the other, then one reload of the list. */
export async function revokeTokens(serverId: string, tokenIds: readonly string[], password: string | undefined): Promise<void> {
  for (const tokenId of tokenIds) {
    await keyport.call('tokens.revoke', password === undefined ? { serverId, tokenId } : { serverId, tokenId, password });
  }
  void useKeyport.getState().loadTokens(serverId, password);
}

export const openCreateNoteLink = (kind: string): Promise<void> => keyport.call('kinds.openCreateNoteLink', { kind }).catch(() => undefined);
