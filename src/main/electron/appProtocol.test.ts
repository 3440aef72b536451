import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isTrustedSenderUrl } from '../core/api/senderPolicy';
import { APP_INDEX_URL, APP_ORIGIN, registerAppScheme, serveAppProtocol } from './appProtocol';
import { CONTENT_SECURITY_POLICY } from './security';

const protocol = vi.hoisted(() => ({ registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() }));
vi.mock('electron', () => ({ protocol }));

type Handler = (request: Request) => Promise<Response>;

let base: string;
let handler: Handler;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'keyport-protocol-'));
  const root = join(base, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Keyport</title>');
  await writeFile(join(root, 'assets', 'index.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'index.css'), 'body{}');
  // A file right beside the served folder: a traversal would reach it.
  await writeFile(join(base, 'secret.txt'), 'TOP SECRET');
  serveAppProtocol(root);
  const registered = protocol.handle.mock.calls[0];
  expect(registered?.[0]).toBe('app');
  handler = registered?.[1] as Handler;
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const get = (url: string, init?: RequestInit) => handler(new Request(url, init));

describe('app:// scheme', () => {
  it('is registered as standard, secure and fetch-capable', () => {
    registerAppScheme();
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('is the origin the IPC sender check trusts', () => {
    expect(APP_ORIGIN).toBe('app://keyport');
    expect(isTrustedSenderUrl(APP_INDEX_URL, [APP_ORIGIN])).toBe(true);
  });
});

describe('the app:// handler', () => {
  it('serves index.html as text/html with the CSP', async () => {
    const response = await get('app://keyport/index.html');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>Keyport</title>');
  });

  it('serves index.html for the bare origin', async () => {
    expect((await get('app://keyport/')).headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('serves scripts and styles with their MIME types', async () => {
    expect((await get('app://keyport/assets/index.js')).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await get('app://keyport/assets/index.css')).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it.each([
    'app://keyport/../../etc/passwd',
    'app://keyport/..%2Fsecret.txt',
    'app://keyport/%2e%2e/secret.txt',
    'app://keyport/assets/..%2F..%2Fsecret.txt',
    'app://keyport/..%5Csecret.txt',
    'app://keyport/%2Fetc%2Fpasswd',
    'app://keyport/index.html%00.png',
  ])('never serves a file outside the renderer folder: %s', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('TOP SECRET');
  });

  it('answers 404 for unknown files, folders and other hosts', async () => {
    expect((await get('app://keyport/missing.js')).status).toBe(404);
    expect((await get('app://keyport/assets/')).status).toBe(404);
    expect((await get('app://elsewhere/index.html')).status).toBe(404);
  });

  it('serves only GET and HEAD', async () => {
    expect((await get('app://keyport/index.html', { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await get('app://keyport/index.html', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
