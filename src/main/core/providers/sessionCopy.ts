import { echoInput } from '../../../shared/echoInput';
import type { CopyFormatDescriptor } from '../../../shared/model';
import { authorizationHeader } from '../clipboard/copyFormats';
import { KeyportError } from '../errors';
import type { ServerRecord } from '../vault/records';
import type { SessionMaterial } from './provider';

/** One way to copy a signed-in session: its id and label (the descriptor's
 * `sessionCopyFormats`) beside how its text is made, so the two cannot drift apart. */
export interface SessionCopyFormat extends CopyFormatDescriptor {
  render(server: ServerRecord, material: SessionMaterial): string;
}

/** The OAuth session's access token, as it is. */
export const ACCESS_TOKEN_COPY: SessionCopyFormat = { id: 'access-token', label: 'Access token', render: (_server, material) => material.session };

/** The access token as an `Authorization: Bearer …` header line. */
export const AUTHORIZATION_HEADER_COPY: SessionCopyFormat = { id: 'access-token-header', label: 'Authorization header', render: (_server, material) => authorizationHeader(material.session) };

/** A kind's session copy formats: the descriptors for the UI and the provider's
 * `renderSessionCopy`, which refuses a format the kind does not list. */
export function sessionCopyFormats(formats: readonly SessionCopyFormat[]): {
  descriptors: CopyFormatDescriptor[];
  render(server: ServerRecord, material: SessionMaterial, format: string): string;
} {
  const byId = new Map(formats.map((format) => [format.id, format]));
  return {
    descriptors: formats.map(({ id, label }) => ({ id, label })),
    render(server, material, format) {
      const found = byId.get(format);
      if (!found) throw new KeyportError('VALIDATION', `Unknown copy format “${echoInput(format)}”.`, { field: 'format' });
      return found.render(server, material);
    },
  };
}
