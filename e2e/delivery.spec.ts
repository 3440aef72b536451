import AxeBuilder from '@axe-core/playwright';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { addAndSignIn, addServer, ALICE, createToken, expect, sessionPanel, test } from './fixtures';
import { startHost } from '../test/host/host';
import { startSshd, type SshdServer } from '../test/servers/sshd/sshdServer';
import { startTapisServer } from '../test/servers/tapis/tapisServer';
import { startVerdaccio } from '../test/servers/npm/verdaccioServer';

// Sending a saved token to a machine over SSH and rotating it, through the real renderer and
// core, against Debian's real sshd on 127.0.0.1.
const SHOTS = process.env.KEYPORT_SCREENSHOTS_DIR ?? 'test-results/screenshots';

async function axeClean(page: Page, what: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `${what} (${theme})`).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/${what}-${theme}.png` });
  }
}

let sshd: SshdServer;
test.beforeAll(async () => {
  sshd = await startSshd();
});
test.afterAll(async () => {
  await sshd?.close();
});

test('a saved token is sent to a machine (fingerprint confirmed first), listed as a target, and rotated with its steps shown', async ({ browser, eds }) => {
  test.setTimeout(120_000);
  const home = await mkdtemp(join(tmpdir(), 'keyport-e2e-home-'));
  const app = await startHost(browser, { homeDir: home, env: { SSH_AUTH_SOCK: sshd.agentSocket, USER: sshd.user } });
  try {
    const { page } = app;
    await page.setViewportSize({ width: 1180, height: 860 });
    await addAndSignIn(page, eds);
    const secret = await createToken(page, 'deploy', { save: true });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Machines… for deploy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Machines for deploy' });
    await expect(dialog.getByText('Not delivered anywhere yet.')).toBeVisible();
    await dialog.getByLabel('Host').fill('127.0.0.1');
    await dialog.getByLabel('Port').fill(String(sshd.port));
    await dialog.getByLabel('File').fill('~/app/.env');
    await dialog.getByRole('button', { name: 'Send' }).click();

    // First connection: the fingerprint is shown and nothing is written until trusted.
    const question = dialog.getByRole('alert').filter({ hasText: 'has not connected' });
    await expect(question).toContainText(sshd.hostFingerprint);
    await expect(stat(join(sshd.home, 'app/.env'))).rejects.toThrow();
    await axeClean(page, 'delivery-fingerprint');
    await question.getByRole('button', { name: 'Trust and send' }).click();
    await expect(dialog.getByRole('status')).toContainText('Delivered to 127.0.0.1:~/app/.env');
    expect(await readFile(join(sshd.home, 'app/.env'), 'utf8')).toContain(`HATCHER_TOKEN=${secret}`);
    expect((await stat(join(sshd.home, 'app/.env'))).mode & 0o777).toBe(0o600);
    await expect(await readFile(join(home, '.ssh', 'known_hosts'), 'utf8')).toMatch(/^\|1\|/);

    await dialog.getByLabel('File').fill('~/other/.env');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect(dialog.getByRole('status')).toContainText('Delivered to 127.0.0.1:~/other/.env');
    const targets = dialog.getByRole('table');
    await expect(targets.getByRole('row')).toHaveCount(3);
    await expect(targets.getByRole('row', { name: /~\/app\/\.env/ })).toBeVisible();
    await axeClean(page, 'delivery-targets');

    // A second machine path that cannot be written stops the rotation before the revoke.
    await rm(join(sshd.home, 'other/.env'));
    await mkdir(join(sshd.home, 'other/.env'));
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    const steps = dialog.getByRole('list', { name: 'Rotation steps' });
    await expect(steps).toContainText('The old token was not revoked');
    expect(eds.isApiTokenValid(secret)).toBe(true);
    await axeClean(page, 'delivery-rotate-stopped');

    await rm(join(sshd.home, 'other/.env'), { recursive: true });
    await dialog.getByRole('button', { name: 'Retry rotation' }).click();
    await expect(steps).toContainText('Revoked deploy.');
    expect(eds.isApiTokenValid(secret)).toBe(false);
    const fresh = /HATCHER_TOKEN=(\S+)/.exec(await readFile(join(sshd.home, 'other/.env'), 'utf8'))?.[1] ?? '';
    expect(eds.isApiTokenValid(fresh)).toBe(true);
    expect(await readFile(join(sshd.home, 'app/.env'), 'utf8')).toContain(fresh);
    await expect(targets.getByRole('row')).toHaveCount(3);
    await axeClean(page, 'delivery-rotate-done');
    // No value reached the page or the logs.
    expect(await page.content()).not.toContain(fresh);
    expect(app.logs.join('\n')).not.toContain(secret);
    await writeFile(join(home, 'done'), '');
  } finally {
    await app.close();
    await rm(home, { recursive: true, force: true });
  }
});

test('revoking a delivered token offers to remove it from its machines first', async ({ browser, eds }) => {
  test.setTimeout(90_000);
  const home = await mkdtemp(join(tmpdir(), 'keyport-e2e-home-'));
  await mkdir(join(home, '.ssh'), { recursive: true });
  await writeFile(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
  const app = await startHost(browser, { homeDir: home, env: { SSH_AUTH_SOCK: sshd.agentSocket, USER: sshd.user } });
  try {
    const { page } = app;
    await addAndSignIn(page, eds);
    const secret = await createToken(page, 'retiring', { save: true });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Machines… for retiring' }).click();
    const dialog = page.getByRole('dialog', { name: 'Machines for retiring' });
    await dialog.getByLabel('Host').fill('127.0.0.1');
    await dialog.getByLabel('Port').fill(String(sshd.port));
    await dialog.getByLabel('File').fill('~/retiring/.env');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect(dialog.getByRole('status')).toContainText('Delivered to');
    expect(await readFile(join(sshd.home, 'retiring/.env'), 'utf8')).toContain(secret);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Revoke retiring' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke “retiring”?' });
    const option = confirm.getByLabel('Also remove it from the machine it was sent to');
    await expect(option).toBeChecked();
    await axeClean(page, 'delivery-revoke');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await expect(page.getByRole('rowheader', { name: 'retiring' })).toBeHidden();
    expect(await readFile(join(sshd.home, 'retiring/.env'), 'utf8')).not.toContain(secret);
    expect(eds.isApiTokenValid(secret)).toBe(false);
  } finally {
    await app.close();
    await rm(home, { recursive: true, force: true });
  }
});

/** A home whose ~/.ssh/known_hosts already knows the test sshd. */
async function homeKnowingSshd(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'keyport-e2e-home-'));
  await mkdir(join(home, '.ssh'), { mode: 0o700 });
  await writeFile(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
  return home;
}

/** The app with that home and the test agent, at the size of the screenshots. */
async function startHostFor(browser: Browser, home: string) {
  const app = await startHost(browser, { homeDir: home, env: { SSH_AUTH_SOCK: sshd.agentSocket, USER: sshd.user } });
  await app.page.setViewportSize({ width: 1180, height: 860 });
  return app;
}

test('a Tapis session is sent as agavepy’s ~/.agave/current (and config.json) from the session panel, and listed there as a target', async ({ browser }) => {
  test.setTimeout(120_000);
  const home = await homeKnowingSshd();
  const tapis = await startTapisServer();
  const app = await startHostFor(browser, home);
  try {
    const { page } = app;
    await addServer(page, { name: 'TACC', url: tapis.url, kind: 'Tapis (TACC Agave v2)', urlLabel: 'API server', options: { 'Tenant id': tapis.tenantId } });
    await page.getByLabel('User name', { exact: true }).fill(ALICE.username);
    await page.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(sessionPanel(page).getByText(`Signed in as ${ALICE.username}`)).toBeVisible();
    await rm(join(sshd.home, '.agave'), { recursive: true, force: true });

    // The session panel offers the session file's delivery beside its export.
    await expect(sessionPanel(page).getByRole('group', { name: 'Tapis (TACC Agave v2) actions' }).getByRole('button', { name: 'Send to a machine…' })).toBeVisible();
    await axeClean(page, 'session-panel-send');
    await sessionPanel(page).getByRole('button', { name: 'Send to a machine…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Machines for the TACC session' });
    await expect(dialog.getByLabel('Format')).toHaveValue('session-file');
    await expect(dialog.getByLabel('File')).toHaveValue('~/.agave/current');
    // Only the session file is offered for a session, and there is no Rotate.
    await expect(dialog.getByLabel('Format').locator('option')).toHaveCount(1);
    await dialog.getByLabel('Host').fill('127.0.0.1');
    await dialog.getByLabel('Port').fill(String(sshd.port));
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect(dialog.getByRole('status')).toContainText('Delivered to 127.0.0.1:~/.agave/current');
    const current = JSON.parse(await readFile(join(sshd.home, '.agave/current'), 'utf8')) as Record<string, unknown>;
    expect(current).toMatchObject({ baseurl: tapis.url, tenantid: tapis.tenantId, username: 'alice' });
    expect(tapis.isAccessTokenValid(String(current.access_token))).toBe(true);
    expect((await stat(join(sshd.home, '.agave/config.json'))).mode & 0o777).toBe(0o600);
    await expect(dialog.getByRole('table').getByRole('row', { name: /~\/\.agave\/current/ })).toContainText('session file');
    await expect(dialog.getByRole('button', { name: 'Rotate' })).toHaveCount(0);
    await axeClean(page, 'delivery-session');
    expect(await page.content()).not.toContain(String(current.access_token));
  } finally {
    await app.close();
    await tapis.close();
    await rm(home, { recursive: true, force: true });
  }
});

test('Rotate asks for the account password where the kind manages tokens with it (npm), then rotates with the same settings', async ({ browser }) => {
  test.setTimeout(120_000);
  const home = await homeKnowingSshd();
  const registry = await startVerdaccio();
  const app = await startHostFor(browser, home);
  try {
    const { page } = app;
    const alice = registry.users[0]!;
    await addServer(page, { name: 'Verdaccio', url: registry.url, kind: 'npm registry', urlLabel: 'Registry URL' });
    await page.getByRole('radio', { name: 'User name and password' }).check();
    await page.getByLabel('User name', { exact: true }).fill(alice.username);
    await page.getByLabel('Password', { exact: true }).fill(alice.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(sessionPanel(page).getByText(`Signed in as ${alice.username}`)).toBeVisible();
    // Made read-only: the rotation must keep that without being told.
    const servers = (await app.call('servers.list')) as Array<{ id: string }>;
    const created = (await app.call('tokens.create', { serverId: servers[0]!.id, name: 'ci', save: true, fields: { access: 'read-only' }, password: alice.password })) as { secret: string };
    await page.reload();
    await page.getByRole('button', { name: /Machines… for/ }).first().click();
    const dialog = page.getByRole('dialog', { name: /^Machines for / });
    await expect(dialog.getByLabel('Format')).toHaveValue('npmrc');
    await dialog.getByLabel('Host').fill('127.0.0.1');
    await dialog.getByLabel('Port').fill(String(sshd.port));
    await dialog.getByLabel('File').fill('~/rot-npm/.npmrc');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await expect(dialog.getByRole('status')).toContainText('Delivered to 127.0.0.1:~/rot-npm/.npmrc');

    await dialog.getByRole('button', { name: 'Rotate' }).click();
    const passwordField = dialog.getByLabel('Account password');
    await expect(passwordField).toBeVisible();
    await axeClean(page, 'delivery-rotate-password');
    await passwordField.fill(alice.password);
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    const steps = dialog.getByRole('list', { name: 'Rotation steps' });
    await expect(steps).toContainText('with the same settings as when it was made (access read-only)');
    await expect(steps).toContainText('Verdaccio accepts');
    await expect(steps).toContainText('Revoked');
    const npmrc = await readFile(join(sshd.home, 'rot-npm/.npmrc'), 'utf8');
    expect(npmrc).not.toContain(created.secret);
    await axeClean(page, 'delivery-rotate-same-settings');
    // Used for the rotation only: gone from the page once it is done.
    expect(await page.content()).not.toContain(alice.password);
  } finally {
    await app.close();
    await registry.close();
    await rm(home, { recursive: true, force: true });
  }
});
