import type { CopyFormatDescriptor } from '../../../../shared/model';
import { refuseUnsafeForPaste, renderCopyText } from '../../clipboard/copyFormats';
import { KeyportError } from '../../errors';
import type { ServerRecord } from '../../vault/records';
import type { SessionMaterial } from '../provider';
import type { Tapis3Credential } from './tapis3Credential';

/** What can be copied from a Tapis v3 session. tapipy reads no environment variables and keeps
 * no cache (docs/protocols/tapis3.md): the variables are Keyport's convention, and the Python
 * snippets are what reads them. */
export const TAPIS3_SESSION_COPY_FORMATS: CopyFormatDescriptor[] = [
  { id: 'access-token', label: 'Access token' },
  { id: 'access-token-header', label: 'X-Tapis-Token header' },
  { id: 'access-token-shell', label: 'Access token (export)' },
  { id: 'access-token-powershell', label: 'Access token (PowerShell)' },
  { id: 'access-token-cmd', label: 'Access token (Command Prompt)' },
  { id: 'access-token-dotenv', label: 'Access token (.env file)' },
  { id: 'python', label: 'tapipy snippet (access token)' },
  { id: 'refresh-shell', label: 'Client + refresh token (export)' },
  { id: 'refresh-dotenv', label: 'Client + refresh token (.env file)' },
  { id: 'python-refresh', label: 'tapipy snippet (client + refresh token)' },
];

/** A Python string literal: JSON's escapes are Python's. */
const py = (value: string): string => JSON.stringify(value);

function tenantOf(server: ServerRecord, material: SessionMaterial): string {
  return material.attributes.tenantId ?? server.options.tenantId ?? '';
}

/** tapipy ignores REQUESTS_CA_BUNDLE; a private CA must be passed as verify=. */
function verifyArgument(server: ServerRecord): string {
  if (server.caCertificatePath) return `, verify=${py(server.caCertificatePath)}`;
  if (server.allowInsecureTls) return ', verify=False';
  return '';
}

export function renderTapis3SessionCopy(
  server: ServerRecord,
  material: SessionMaterial,
  format: string,
  decode: (credential: string | null) => Tapis3Credential,
): string {
  const tenantId = tenantOf(server, material);
  const tokenEnv = (): Array<[string, string]> => [
    ['TAPIS_BASE_URL', server.url],
    ['TAPIS_TENANT_ID', tenantId],
    ['TAPIS_TOKEN', material.session],
  ];
  const refreshEnv = (): Array<[string, string]> => {
    const credential = decode(material.credential);
    return [
      ['TAPIS_BASE_URL', server.url],
      ['TAPIS_TENANT_ID', tenantId],
      ['TAPIS_CLIENT_ID', credential.clientId],
      ['TAPIS_CLIENT_KEY', credential.clientKey],
      ['TAPIS_REFRESH_TOKEN', credential.refreshToken],
    ];
  };
  switch (format) {
    case 'access-token':
      return material.session;
    case 'access-token-header':
      refuseUnsafeForPaste(material.session, 'an X-Tapis-Token header');
      return `X-Tapis-Token: ${material.session}`;
    case 'access-token-shell':
    case 'access-token-powershell':
    case 'access-token-cmd':
    case 'access-token-dotenv':
      return renderCopyText(format.slice('access-token-'.length), material.session, tokenEnv());
    case 'python':
      return [
        'import os',
        'from tapipy.tapis import Tapis',
        '',
        `t = Tapis(base_url=${py(server.url)}, tenant_id=${py(tenantId)}, access_token=os.environ["TAPIS_TOKEN"]${verifyArgument(server)})`,
        'print(t.authenticator.get_userinfo().username)',
        '',
      ].join('\n');
    case 'refresh-shell':
    case 'refresh-dotenv':
      return renderCopyText(format.slice('refresh-'.length), '', refreshEnv());
    case 'python-refresh':
      decode(material.credential);
      return [
        'import os',
        'from tapipy.tapis import Tapis',
        '',
        '# Reads the variables of “Client + refresh token”; get_tokens() uses the refresh token.',
        't = Tapis(base_url=os.environ["TAPIS_BASE_URL"], tenant_id=os.environ["TAPIS_TENANT_ID"],',
        '          client_id=os.environ["TAPIS_CLIENT_ID"], client_key=os.environ["TAPIS_CLIENT_KEY"],',
        `          refresh_token=os.environ["TAPIS_REFRESH_TOKEN"]${verifyArgument(server)})`,
        't.get_tokens()',
        'print(t.authenticator.get_userinfo().username)',
        '',
      ].join('\n');
    default:
      throw new KeyportError('VALIDATION', `Unknown copy format “${format}”.`, { field: 'format' });
  }
}
