// Conformance: the real tapipy 25.4.0 (its own venv, conformance/requirements-tapipy.txt) against
// the reference Tapis v3 server, and the server's answers validated against the OpenAPI specs
// tapipy bundles (tapipy/resources/openapi_v3-*.yml) with tapipy's own dependency
// openapi-schema-validator. If the server (or docs/protocols/tapis3.md, which these tests back)
// drifts from tapipy, these go red. Each check is a short Python script printing one JSON line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTapis3Server } from '../test/servers/tapis3/tapis3Server.ts';
import type { Tapis3Server } from '../test/servers/tapis3/tapis3Server.ts';
import { tapipy } from './tapipyRunner.ts';
import { ensurePythonEnv } from './pythonEnv.ts';

const PASSWORD = 'wonderland-secret';

let server: Tapis3Server;
let tls: Tapis3Server;
let scratch: string;

beforeAll(async () => {
  await ensurePythonEnv({ venv: 'tapipy' });
  server = await startTapis3Server({ otherTenants: [{ tenantId: 'other', baseUrl: 'https://other.example' }] });
  tls = await startTapis3Server({ https: true });
  scratch = mkdtempSync(join(tmpdir(), 'keyport-tapipy-'));
});

afterAll(async () => {
  await server.close();
  await tls.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('tapipy against the reference Tapis v3 server', () => {
  it('finds the tenant from /v3/sites and /v3/tenants, signs in with a client, reads who it is and refreshes', async () => {
    const client = server.createClient('alice', 'tapipy-signin');
    const value = await tapipy<{ tenant: string; hasRefresh: boolean; refreshClaims: boolean; user: string; expiresIn: number; before: string; after: string }>(
      `
t = Tapis(base_url=URL, username='alice', password=os.environ['PW'], client_id='tapipy-signin', client_key=os.environ['KEY'])
t.get_tokens()
before = t.access_token.access_token
me = t.authenticator.get_userinfo()
t.refresh_tokens()
emit({'tenant': t.tenant_id, 'hasRefresh': t.refresh_token is not None,
      'refreshClaims': hasattr(t.refresh_token, 'claims'), 'user': me.username,
      'expiresIn': int(t.access_token.expires_in().total_seconds()), 'before': before, 'after': t.access_token.access_token})
`,
      { URL: server.url, PW: PASSWORD, KEY: client.clientKey },
    );
    expect(value).toMatchObject({ tenant: 'keyport', hasRefresh: true, refreshClaims: true, user: 'alice' });
    expect(value.expiresIn).toBeGreaterThan(14000);
    // tapipy's validate_token checked the refresh token's RS256 signature with the tenant's public_key.
    expect(server.isAccessTokenValid(value.before)).toBe(false);
    expect(server.isAccessTokenValid(value.after)).toBe(true);
  });

  it('without client credentials the password grant gives no refresh token, and refresh is refused locally', async () => {
    const value = await tapipy<{ refresh: boolean; error: [string, string] }>(
      `
t = Tapis(base_url=URL, tenant_id='keyport', username='alice', password=os.environ['PW'])
t.get_tokens()
try:
    t.refresh_tokens()
    err = None
except Exception as e:
    err = error(e)
emit({'refresh': t.refresh_token is not None, 'error': err})
`,
      { URL: server.url, PW: PASSWORD },
    );
    expect(value).toEqual({ refresh: false, error: ['TapyClientConfigurationError', 'message: No refresh token found.'] });
  });

  it('manages clients: create (key once), list, delete', async () => {
    const { accessToken } = server.issueTokens('alice');
    const value = await tapipy<{ created: string; key: boolean; listed: string[]; afterDelete: string[] }>(
      `
t = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['TOKEN'])
c = t.authenticator.create_client(client_id='tapipy-made', description='made by tapipy')
listed = [x.client_id for x in t.authenticator.list_clients(limit=100, offset=0)]
t.authenticator.delete_client(client_id='tapipy-made')
emit({'created': c.client_id, 'key': bool(c.client_key), 'listed': listed,
      'afterDelete': [x.client_id for x in t.authenticator.list_clients()]})
`,
      { URL: server.url, TOKEN: accessToken },
    );
    expect(value.created).toBe('tapipy-made');
    expect(value.key).toBe(true);
    expect(value.listed).toContain('tapipy-made');
    expect(value.afterDelete).not.toContain('tapipy-made');
    expect(server.hasClient('tapipy-made')).toBe(false);
  });

  it('runs the device flow: not ready until approved, then tokens with a refresh token', async () => {
    const client = server.createClient('alice', 'tapipy-device');
    const started = await tapipy<{ device: string; user: string; expiresIn: string; uri: string; first: [string, string] }>(
      `
t = Tapis(base_url=URL, tenant_id='keyport')
d = t.authenticator.generate_device_code(client_id='tapipy-device')
try:
    t.authenticator.create_token(grant_type='device_code', device_code=d.device_code, client_id='tapipy-device')
    first = None
except Exception as e:
    first = error(e)
emit({'device': d.device_code, 'user': d.user_code, 'expiresIn': d.expires_in, 'uri': d.verification_uri, 'first': first})
`,
      { URL: server.url },
    );
    expect(started.first).toEqual(['BadRequestError', 'message: device code not ready.']);
    expect(started.expiresIn).toBe('600');
    expect(started.uri).toBe(`${server.url}/v3/oauth2/device`);
    server.approveDevice(started.user, 'alice');
    const done = await tapipy<{ user: string; refresh: boolean }>(
      `
t = Tapis(base_url=URL, tenant_id='keyport')
tok = t.authenticator.create_token(grant_type='device_code', device_code=os.environ['DEVICE'], client_id='tapipy-device',
                                   _tapis_headers={'Authorization': get_basic_auth_header('tapipy-device', os.environ['KEY'])})
t.set_access_token(tok.access_token)
emit({'user': t.authenticator.get_userinfo().username, 'refresh': hasattr(tok, 'refresh_token')})
`,
      { URL: server.url, DEVICE: started.device, KEY: client.clientKey },
    );
    expect(done).toEqual({ user: 'alice', refresh: true });
  });

  it('revokes: a revoked access token is refused with UnauthorizedError, a revoked refresh token with BadRequestError', async () => {
    const client = server.createClient('alice', 'tapipy-revoke');
    const tokens = server.issueTokens('alice', 'tapipy-revoke');
    const value = await tapipy<{ userinfo: [string, string]; refresh: [string, string] }>(
      `
t = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['AT'], refresh_token=os.environ['RT'], client_id='tapipy-revoke', client_key=os.environ['KEY'])
t.authenticator.revoke_token(token=os.environ['AT'])
t.authenticator.revoke_token(token=os.environ['RT'])
out = {}
try:
    t.authenticator.get_userinfo()
except Exception as e:
    out['userinfo'] = error(e)
try:
    t.refresh_tokens()
except Exception as e:
    out['refresh'] = error(e)
emit(out)
`,
      { URL: server.url, AT: tokens.accessToken, RT: tokens.refreshToken ?? '', KEY: client.clientKey },
    );
    expect(value).toEqual({ userinfo: ['UnauthorizedError', 'message: Invalid Tapis token.'], refresh: ['BadRequestError', 'message: Invalid refresh token.'] });
  });

  it('a wrong password is BadRequestError with the server’s message; an HTML page is no token', async () => {
    server.faults.add({ kind: 'html', status: 502, match: /^\/v3\/oauth2\/userinfo$/, times: 1 });
    const { accessToken } = server.issueTokens('alice');
    const value = await tapipy<{ password: [string, string]; html: [string, string] }>(
      `
t = Tapis(base_url=URL, tenant_id='keyport', username='alice', password='wrong')
out = {}
try:
    t.get_tokens()
except Exception as e:
    out['password'] = error(e)
t2 = Tapis(base_url=URL, tenant_id='keyport', access_token=os.environ['AT'])
try:
    t2.authenticator.get_userinfo()
except Exception as e:
    out['html'] = [type(e).__name__, '']
emit(out)
`,
      { URL: server.url, AT: accessToken },
    );
    expect(value).toEqual({ password: ['BadRequestError', 'message: Invalid username/password combination.'], html: ['InternalServerError', ''] });
  });

  // tapipy calls Session.send(…, verify=self.verify), which skips requests' environment merge:
  // REQUESTS_CA_BUNDLE is ignored, the CA file must be passed as verify=.
  it('works over HTTPS with the server’s CA given as verify=, and ignores REQUESTS_CA_BUNDLE', async () => {
    const caFile = join(scratch, 'ca.pem');
    writeFileSync(caFile, tls.caPem ?? '');
    tls.createClient('alice', 'tls');
    const value = await tapipy<{ user: string; envOnly: string }>(
      `
try:
    Tapis(base_url=URL, tenant_id='keyport', username='alice', password=os.environ['PW']).get_tokens()
    env_only = 'worked'
except Exception as e:
    env_only = type(e).__name__
t = Tapis(base_url=URL, tenant_id='keyport', username='alice', password=os.environ['PW'], verify=os.environ['CA'])
t.get_tokens()
emit({'user': t.authenticator.get_userinfo().username, 'envOnly': env_only})
`,
      { URL: tls.url, PW: PASSWORD, CA: caFile, REQUESTS_CA_BUNDLE: caFile },
    );
    expect(value).toEqual({ user: 'alice', envOnly: 'BaseTapyException' });
  });
});

describe('the reference server’s answers against tapipy’s bundled OpenAPI specs', () => {
  it('every success validates against its operation’s documented response; every error is the Authenticator’s envelope', async () => {
    const s = server;
    const client = s.createClient('alice', 'spec-check');
    const basicAuth = `Basic ${Buffer.from(`spec-check:${client.clientKey}`).toString('base64')}`;
    const { accessToken } = s.issueTokens('alice');
    const samples: Array<{ spec: string; path: string; method: string; status: number; body: unknown }> = [];
    const call = async (spec: string, specPath: string, method: string, path: string, init: { token?: string; auth?: string; body?: unknown } = {}) => {
      const headers: Record<string, string> = {};
      if (init.token) headers['X-Tapis-Token'] = init.token;
      if (init.auth) headers.Authorization = init.auth;
      if (init.body !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(`${s.url}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
      expect(res.headers.get('content-type')).toBe('application/json');
      const body: unknown = await res.json();
      samples.push({ spec, path: specPath, method: method.toLowerCase(), status: res.status, body });
      return body as { result: Record<string, unknown> };
    };
    await call('tenants', '/v3/tenants', 'GET', '/v3/tenants');
    await call('tenants', '/v3/sites', 'GET', '/v3/sites');
    await call('tenants', '/v3/tenants/{tenant_id}', 'GET', '/v3/tenants/keyport');
    const tokens = await call('authenticator', '/v3/oauth2/tokens', 'POST', '/v3/oauth2/tokens', { auth: basicAuth, body: { username: 'alice', password: PASSWORD, grant_type: 'password' } });
    const refresh = (tokens.result.refresh_token as { refresh_token: string }).refresh_token;
    await call('authenticator', '/v3/oauth2/tokens', 'POST', '/v3/oauth2/tokens', { auth: basicAuth, body: { grant_type: 'refresh_token', refresh_token: refresh } });
    await call('authenticator', '/v3/oauth2/userinfo', 'GET', '/v3/oauth2/userinfo', { token: accessToken });
    await call('authenticator', '/v3/oauth2/clients', 'POST', '/v3/oauth2/clients', { token: accessToken, body: { client_id: 'spec-made', description: 'x' } });
    await call('authenticator', '/v3/oauth2/clients', 'GET', '/v3/oauth2/clients?limit=10&offset=0', { token: accessToken });
    await call('authenticator', '/v3/oauth2/clients/{client_id}', 'GET', '/v3/oauth2/clients/spec-made', { token: accessToken });
    await call('authenticator', '/v3/oauth2/clients/{client_id}', 'DELETE', '/v3/oauth2/clients/spec-made', { token: accessToken });
    await call('authenticator', '/v3/oauth2/device/code', 'POST', '/v3/oauth2/device/code', { body: { client_id: 'spec-check' } });
    await call('authenticator', '/v3/oauth2/tokens/revoke', 'POST', '/v3/oauth2/tokens/revoke', { body: { token: refresh } });
    // Errors, which the specs do not describe: checked against the real Authenticator's envelope.
    await call('error', '', 'POST', '/v3/oauth2/tokens', { body: { username: 'alice', password: 'x', grant_type: 'password' } });
    await call('error', '', 'GET', '/v3/oauth2/userinfo', { token: 'not-a-jwt' });
    await call('error', '', 'GET', '/v3/oauth2/clients/nope', { token: accessToken });
    const file = join(scratch, 'samples.json');
    writeFileSync(file, JSON.stringify(samples));
    const verdicts = await tapipy<Array<{ op: string; errors: string[] }>>(
      `
import yaml
from jsonschema import RefResolver
from openapi_schema_validator import OAS30Validator
import tapipy as _tp
res = os.path.join(os.path.dirname(_tp.__file__), 'resources')
specs = {name: yaml.safe_load(open(os.path.join(res, f'openapi_v3-{name}.yml'))) for name in ('authenticator', 'tenants')}
ERROR = {'type': 'object', 'required': ['result', 'status', 'message', 'version', 'metadata'], 'additionalProperties': False,
         'properties': {'result': {'enum': [None], 'nullable': True}, 'status': {'enum': ['error']}, 'message': {'type': 'string', 'minLength': 1},
                        'version': {'type': 'string'}, 'metadata': {'type': 'object'}}}
out = []
for s in json.load(open(os.environ['SAMPLES'])):
    if s['spec'] == 'error':
        v = OAS30Validator(ERROR)
        op = 'error ' + str(s['status'])
    else:
        spec = specs[s['spec']]
        responses = spec['paths'][s['path']][s['method']]['responses']
        code = next(c for c in responses if str(c).startswith('2'))
        schema = responses[code]['content']['application/json']['schema']
        v = OAS30Validator(schema, resolver=RefResolver.from_schema(spec))
        op = s['method'] + ' ' + s['path'] + ' ' + str(s['status'])
    out.append({'op': op, 'errors': [e.message for e in v.iter_errors(s['body'])]})
emit(out)
`,
      { SAMPLES: file },
    );
    expect(verdicts).toHaveLength(samples.length);
    for (const verdict of verdicts) expect(verdict, verdict.op).toMatchObject({ errors: [] });
    expect(verdicts.map((v) => v.op)).toContain('error 400');
  });

  it('the schema check is not vacuous: an answer missing a required field fails it', async () => {
    const verdict = await tapipy<string[]>(
      `
import yaml
from jsonschema import RefResolver
from openapi_schema_validator import OAS30Validator
import tapipy as _tp
spec = yaml.safe_load(open(os.path.join(os.path.dirname(_tp.__file__), 'resources', 'openapi_v3-authenticator.yml')))
schema = spec['paths']['/v3/oauth2/device/code']['post']['responses']['200']['content']['application/json']['schema']
body = {'result': {'device_code': 'd', 'user_code': 'u', 'client_id': 'c', 'expires_in': 600}, 'status': 'success', 'message': '', 'version': 'dev'}
emit([e.message for e in OAS30Validator(schema, resolver=RefResolver.from_schema(spec)).iter_errors(body)])
`,
    );
    expect(verdict.join(' ')).toMatch(/verification_uri/);
    expect(verdict.join(' ')).toMatch(/600 is not of type 'string'/);
  });
});
