// `npm run servers`: starts the reference servers for manual testing of Keyport (and of the
// real CLIs) and keeps them up until Ctrl+C. Runs under plain Node type stripping.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EDS_USERS, startEdsServer } from './eds/edsServer.ts';
import type { EdsServer } from './eds/edsServer.ts';
import { DEFAULT_ANACONDA_USERS, startAnacondaServer } from './anaconda/anacondaServer.ts';
import { DEFAULT_OIDC_USERS, startOidcServer } from './oidc/oidcServer.ts';
import { startVerdaccio } from './npm/verdaccioServer.ts';
import { hubInstalled, startJupyterHub } from './jupyterhub/jupyterhubServer.ts';
import { startNpmjsServer } from './npmjs/npmjsServer.ts';
import { DEMO_KEYCLOAK_USERS, keycloakInstalled, setUpDemoRealm, startKeycloak } from './keycloak/keycloakServer.ts';
import { startConnectProxy } from './tapis/connectProxy.ts';
import { DEFAULT_TAPIS_USERS, startTapisServer } from './tapis/tapisServer.ts';
import { DEFAULT_TAPIS3_USERS, startTapis3Server } from './tapis3/tapis3Server.ts';

const servers: Pick<EdsServer, 'close'>[] = [];
const edsHttp = await startEdsServer();
servers.push(edsHttp);
const edsHttps = await startEdsServer({ https: true });
servers.push(edsHttps);

// The CA goes to a file because that is what Keyport's "custom CA" field and
// REQUESTS_CA_BUNDLE (for hatcher) take.
const caDir = mkdtempSync(join(tmpdir(), 'keyport-servers-'));
const caFile = join(caDir, 'eds-ca.pem');
writeFileSync(caFile, edsHttps.caPem ?? '');

const tapisHttp = await startTapisServer();
servers.push(tapisHttp);
const tapisHttps = await startTapisServer({ https: true });
servers.push(tapisHttps);
// agavepy's Swagger client (Agave.restore(), ag.profiles.get()) only works with an HTTPS
// api_server on the default port: this proxy tunnels https://localhost to tapisHttps.
const tapisProxy = await startConnectProxy(tapisHttps.url);
servers.push(tapisProxy);
const tapisCaFile = join(caDir, 'tapis-ca.pem');
writeFileSync(tapisCaFile, tapisHttps.caPem ?? '');

const tapis3Http = await startTapis3Server();
servers.push(tapis3Http);
const tapis3Https = await startTapis3Server({ https: true });
servers.push(tapis3Https);
const tapis3CaFile = join(caDir, 'tapis3-ca.pem');
writeFileSync(tapis3CaFile, tapis3Https.caPem ?? '');
// A client for signing in with a code (put its id and key in the server's settings).
const tapis3DeviceClient = tapis3Http.createClient('alice', 'keyport-demo');

const anaconda = await startAnacondaServer();
servers.push(anaconda);

// Access tokens of two minutes, so refresh can be watched by hand.
const oidcServer = await startOidcServer({ accessTokenTtlSeconds: 120 });
servers.push(oidcServer);
const oidcCaFile = join(caDir, 'oidc-ca.pem');
writeFileSync(oidcCaFile, oidcServer.caPem ?? '');

// A real Verdaccio (npm registry) with the token API on, seeded users only.
const verdaccio = await startVerdaccio();
servers.push(verdaccio);
// The reference for registry.npmjs.org: web login, granular tokens, two-factor (carol).
const npmjs = await startNpmjsServer();
servers.push(npmjs);

// A real JupyterHub, when its venv is installed (the conformance and e2e tests install it).
const hub = hubInstalled() ? await startJupyterHub({ admins: ['alice'] }) : null;
if (hub) servers.push(hub);

// A real Keycloak, when a test run has installed it (conformance/keycloak.test.ts).
const keycloak = keycloakInstalled() ? await startKeycloak() : null;
if (keycloak) servers.push(keycloak);
const keycloakRealm = keycloak ? await setUpDemoRealm(keycloak) : null;

console.log('Keyport reference servers (Ctrl+C to stop)');
console.log('');
console.log(`EDS (HTTP):   ${edsHttp.url}`);
console.log(`EDS (HTTPS):  ${edsHttps.url}`);
console.log(`  CA file:    ${caFile}`);
console.log('');
console.log('Demo users (both servers):');
for (const user of DEFAULT_EDS_USERS) console.log(`  ${user.username} / ${user.password}  (${user.email})`);
console.log('');
console.log('Try:');
console.log(`  hatcher -u ${edsHttp.url} -U alice -p ${DEFAULT_EDS_USERS[0]?.password ?? ''} api-tokens list`);
console.log(`  hatcher -u ${edsHttps.url} --insecure -U alice -p ${DEFAULT_EDS_USERS[0]?.password ?? ''} api-tokens list`);
console.log('');
console.log(`Tapis (HTTP):  ${tapisHttp.url}   tenant ${tapisHttp.tenantId}`);
console.log(`Tapis (HTTPS): ${tapisHttps.url}   tenant ${tapisHttps.tenantId}`);
console.log(`  CA file:     ${tapisCaFile}`);
console.log(`  for agavepy's Swagger client: HTTPS_PROXY=${tapisProxy.url} with api_server https://localhost`);
console.log('');
console.log('Demo users (both Tapis servers):');
for (const user of DEFAULT_TAPIS_USERS) console.log(`  ${user.username} / ${user.password}  (${user.email}, ${user.firstName} ${user.lastName})`);
console.log('');
console.log('Try:');
console.log(`  curl -u alice:${DEFAULT_TAPIS_USERS[0]?.password ?? ''} -d clientName=demo ${tapisHttp.url}/clients/v2`);
console.log(`  curl -u KEY:SECRET -d grant_type=password -d username=alice -d password=${DEFAULT_TAPIS_USERS[0]?.password ?? ''} -d scope=PRODUCTION ${tapisHttp.url}/token`);
console.log(`  curl -H 'Authorization: Bearer ACCESS_TOKEN' ${tapisHttp.url}/profiles/v2/me`);
console.log('');
console.log(`Tapis v3 (HTTP):  ${tapis3Http.url}   tenant ${tapis3Http.tenantId}   device page ${tapis3Http.url}/v3/oauth2/device`);
console.log(`Tapis v3 (HTTPS): ${tapis3Https.url}   tenant ${tapis3Https.tenantId}`);
console.log(`  CA file:        ${tapis3CaFile}   (tapipy: Tapis(..., verify=CA_FILE))`);
console.log(`  OAuth client of alice on the HTTP one, for a code sign-in: ${tapis3DeviceClient.clientId} / ${tapis3DeviceClient.clientKey}`);
console.log('Demo users (both Tapis v3 servers):');
for (const user of DEFAULT_TAPIS3_USERS) console.log(`  ${user.username} / ${user.password}  (${user.email})`);
console.log('Try (tapipy 25.4.0):');
console.log(`  python -c "from tapipy.tapis import Tapis; t = Tapis(base_url='${tapis3Http.url}', username='alice', password='${DEFAULT_TAPIS3_USERS[0]?.password ?? ''}'); t.get_tokens(); print(t.authenticator.get_userinfo())"`);
console.log('');
console.log(`Anaconda (HTTP): ${anaconda.url}   (OpenID Connect issuer and API; client id ${anaconda.clientId})`);
console.log('Demo users (sign in with the browser or a code):');
for (const user of DEFAULT_ANACONDA_USERS) console.log(`  ${user.username} / ${user.password}  (${user.email})`);
console.log('');
console.log(`OpenID Connect (HTTPS): ${oidcServer.url}   (issuer; access tokens last 2 minutes)`);
console.log(`  CA file:     ${oidcCaFile}`);
console.log(`  public client:       ${oidcServer.publicClientId}`);
console.log(`  confidential client: ${oidcServer.confidentialClient.id} / ${oidcServer.confidentialClient.secret}`);
console.log('Demo users (sign in with the browser or a code):');
for (const user of DEFAULT_OIDC_USERS) console.log(`  ${user.username} / ${user.password}  (${user.email})`);
console.log('');
console.log(`npm registry (Verdaccio 6, HTTP): ${verdaccio.url}   (token API on, no self-registration)`);
console.log('Demo users:');
for (const user of verdaccio.users) console.log(`  ${user.username} / ${user.password}`);
console.log('Try (with a token Keyport created, copied as the .npmrc line into ./npmrc):');
console.log(`  npm whoami --registry ${verdaccio.url}/ --userconfig ./npmrc`);
console.log(`  npm token list --registry ${verdaccio.url}/ --userconfig ./npmrc`);
console.log('');
if (hub) {
  console.log(`JupyterHub 6.1.1 (HTTP): ${hub.url}   (API ${hub.apiUrl}; alice is its admin)`);
  console.log('Demo users:');
  for (const user of hub.users) console.log(`  ${user.username} / ${user.password}`);
  console.log('Try (with a token Keyport created, copied as the shell export):');
  console.log('  curl -H "Authorization: token $JUPYTERHUB_API_TOKEN" "$JUPYTERHUB_API_URL/user"');
} else {
  console.log('JupyterHub: not installed. Run `npx vitest run --project conformance conformance/keyportWithJupyterHub.test.ts` once to install it.');
}
console.log(`npm registry like registry.npmjs.org (web login, granular tokens): ${npmjs.url}`);
for (const user of npmjs.users) console.log(`  ${user.username} / ${user.password}${user.twoFactor ? '  (two-factor: code 123456)' : ''}`);
console.log(`  npm login --auth-type=web --registry ${npmjs.url}/ --userconfig ./npmrc   (approve in the page it prints)`);
console.log('');
if (keycloakRealm) {
  console.log(`Keycloak 26.7.3 (HTTP), OpenID Connect issuer: ${keycloakRealm.issuer}`);
  console.log(`  public client:       ${keycloakRealm.publicClient}`);
  console.log(`  confidential client: ${keycloakRealm.confidentialClient.id} / ${keycloakRealm.confidentialClient.secret}`);
  for (const user of DEMO_KEYCLOAK_USERS) console.log(`  ${user.username} / ${user.password}`);
} else {
  console.log('Keycloak: not installed. Run `npx vitest run --project conformance conformance/keycloak.test.ts` once to install it.');
}

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(servers.map((s) => s.close()));
  rmSync(caDir, { recursive: true, force: true });
  console.log('Servers stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
