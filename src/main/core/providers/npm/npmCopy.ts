import type { CopyFormatDescriptor, FieldDescriptor } from '../../../../shared/model';
import { ENVIRONMENT_COPY_FORMATS, refuseUnsafeForPaste } from '../../clipboard/copyFormats';
import { KeyportError } from '../../errors';
import type { ServerRecord } from '../../vault/records';
import { nerfDart } from './npmProtocol';

/** The copy format id of the `.npmrc` auth line (the default). */
export const NPMRC_FORMAT = 'npmrc';
const NPMRC_WITH_REGISTRY_FORMAT = 'npmrc-registry';
const GITHUB_ACTIONS_FORMAT = 'github-actions';

export const NPM_COPY_FORMATS: CopyFormatDescriptor[] = [
  ...ENVIRONMENT_COPY_FORMATS,
  { id: NPMRC_FORMAT, label: '.npmrc line' },
  { id: NPMRC_WITH_REGISTRY_FORMAT, label: '.npmrc with registry' },
  { id: GITHUB_ACTIONS_FORMAT, label: 'GitHub Actions' },
];

/** The scope a private registry serves is the common case: its `.npmrc` then says
 * `@scope:registry=` instead of moving every package to it. */
export const NPM_SERVER_FIELDS: FieldDescriptor[] = [
  {
    id: 'scope',
    label: 'Scope served by this registry (optional)',
    placeholder: '@my-company',
    hint: 'Copies then route only this scope to the registry (@scope:registry=); empty: every package.',
  },
];

const SCOPE = /^@[a-z0-9-~][a-z0-9-._~]*$/;

export function checkNpmServer(url: string, options: Record<string, string>): { url: string; options: Record<string, string> } {
  const raw = (options.scope ?? '').trim();
  if (raw === '') return { url, options: {} };
  const scope = raw.startsWith('@') ? raw : `@${raw}`;
  if (!SCOPE.test(scope)) throw new KeyportError('VALIDATION', `“${raw}” is not an npm scope.`, { hint: 'Scopes look like @my-company: lower case, no spaces.', field: 'scope' });
  return { url, options: { scope } };
}

/** The registry setting as npm writes it: with a trailing slash. */
const registrySetting = (server: ServerRecord) => `${server.url}/`;

const registryLine = (server: ServerRecord) => {
  const scope = server.options.scope;
  return scope ? `${scope}:registry=${registrySetting(server)}` : `registry=${registrySetting(server)}`;
};

/** `.npmrc` lines and a GitHub Actions workflow step. The auth line is keyed by npm's nerf
 * dart; actions/setup-node writes `//host/:_authToken=${NODE_AUTH_TOKEN}` and the registry (and
 * scope) lines from its `registry-url` and `scope` inputs, so the workflow passes the token as
 * NODE_AUTH_TOKEN from a repository secret, never the value itself. */
export function renderNpmCopy(format: string, secret: string, _attributes: Record<string, string>, server?: ServerRecord): string | null {
  if (format !== NPMRC_FORMAT && format !== NPMRC_WITH_REGISTRY_FORMAT && format !== GITHUB_ACTIONS_FORMAT) return null;
  // The .npmrc lines hold the token; the workflow step only names the secret.
  if (format !== GITHUB_ACTIONS_FORMAT) refuseUnsafeForPaste(secret, 'an .npmrc line');
  if (!server) throw new KeyportError('INTERNAL', 'The registry of this token is unknown.');
  const authLine = `${nerfDart(server.url)}:_authToken=${secret}`;
  if (format === NPMRC_FORMAT) return authLine;
  if (format === NPMRC_WITH_REGISTRY_FORMAT) return `${registryLine(server)}\n${authLine}`;
  const scope = server.options.scope;
  return [
    '# Save the token as the repository secret NPM_TOKEN (Settings → Secrets and variables → Actions),',
    '# then in the workflow:',
    '- uses: actions/setup-node@v4',
    '  with:',
    '    node-version: 22',
    `    registry-url: '${registrySetting(server)}'`,
    ...(scope ? [`    scope: '${scope}'`] : []),
    '- run: npm ci',
    '  env:',
    '    NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}',
    '',
  ].join('\n');
}
