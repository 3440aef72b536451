import SSHConfig from 'ssh-config';
import { isAbsolute, join } from 'node:path';
import { KeyportError } from '../errors';

/** Where to connect and as whom, after ~/.ssh/config's aliases are applied. */
export interface SshEndpoint {
  /** What the person typed (an alias or a host name), shown in messages and kept in targets. */
  alias: string;
  host: string;
  port: number;
  user: string;
  /** IdentityFile entries, `~` expanded, in the config's order. */
  identityFiles: string[];
}

const HOST_PATTERN = /^[A-Za-z0-9._:[\]-]{1,253}$/;

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : join(home, '.ssh', path);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Applies ~/.ssh/config (HostName, User, Port, IdentityFile) to what the person entered; what
 * they typed explicitly wins over the config, as on ssh's command line. */
export function resolveEndpoint(
  input: { host: string; port?: number | undefined; user?: string | undefined },
  configText: string | null,
  home: string,
  defaultUser: string,
): SshEndpoint {
  const alias = input.host.trim();
  if (!HOST_PATTERN.test(alias)) throw new KeyportError('VALIDATION', 'Enter a host name, an address or an alias from ~/.ssh/config.', { field: 'host' });
  let computed: Record<string, string | string[]> = {};
  if (configText) {
    try {
      computed = SSHConfig.parse(configText).compute(alias) as Record<string, string | string[]>;
    } catch {
      throw new KeyportError('FILE_ERROR', '~/.ssh/config could not be read.', { hint: 'Check the file with `ssh -G HOST`.' });
    }
  }
  const host = (first(computed.HostName) ?? alias).replace(/%h/g, alias);
  const configPort = Number(first(computed.Port));
  const port = input.port ?? (Number.isInteger(configPort) && configPort > 0 && configPort < 65536 ? configPort : 22);
  const user = input.user?.trim() || first(computed.User) || defaultUser;
  const identities = computed.IdentityFile;
  const identityFiles = (Array.isArray(identities) ? identities : identities ? [identities] : []).map((p) => expandHome(p, home));
  return { alias, host, port, user, identityFiles };
}
