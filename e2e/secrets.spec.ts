import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { ALICE, addAndSignIn, addServer, createToken, expect, sessionPanel, test } from './fixtures';
import { startEdsServer } from '../test/servers/eds/edsServer';

/** After a full session (password sign-in, saved and unsaved tokens, copies, an API-token
 * sign-in on a second server, a revocation, a sign-out), none of the secret values of the run
 * is anywhere it should not be: not in the vault file in the clear, the logs, the page's DOM
 * or form fields, web storage, IndexedDB, cookies, window globals, or the renderer's JavaScript
 * heap (a V8 heap snapshot holds every string the UI state still references, zustand's
 * included). Only the show-once dialog holds a new token, while it is open. */

interface Secret {
  what: string;
  value: string;
}

/** The forms a value could take on its way somewhere: as is, URL-encoded, base64 (Basic auth
 * headers, careless logging). */
function encodings(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url')])];
}

function leaks(where: string, text: string, secrets: Secret[]): string[] {
  const found: string[] = [];
  for (const { what, value } of secrets) for (const form of encodings(value)) if (text.includes(form)) found.push(`${what} in ${where}`);
  return found;
}

/** Every string the page holds outside React's reach: web storage, IndexedDB and cookie names,
 * document title, form field values, and strings under the window's own enumerable globals. */
async function pageStrings(page: Page): Promise<Record<string, string>> {
  const inPage = await page.evaluate(async () => {
    const storage = (s: Storage) => Array.from({ length: s.length }, (_, i) => s.key(i) ?? '').map((k) => `${k}=${s.getItem(k) ?? ''}`);
    const databases = typeof indexedDB.databases === 'function' ? (await indexedDB.databases()).map((d) => d.name ?? '') : [];
    const fields = Array.from(document.querySelectorAll('input, textarea, select')).map((e) => (e as HTMLInputElement).value);
    // Globals the app or its host added (those a blank window does not have), walked a few
    // levels deep.
    const frame = document.createElement('iframe');
    document.body.append(frame);
    const blank = new Set(Object.keys(frame.contentWindow ?? {}));
    frame.remove();
    const globals: string[] = [];
    const seen = new Set<unknown>();
    const walk = (value: unknown, depth: number) => {
      if (typeof value === 'string') globals.push(value);
      if (value === null || typeof value !== 'object' || depth > 4 || seen.has(value) || value instanceof Node) return;
      seen.add(value);
      for (const key of Object.keys(value).slice(0, 500)) {
        globals.push(key);
        try {
          walk((value as Record<string, unknown>)[key], depth + 1);
        } catch {
          // A getter that throws holds nothing for us.
        }
      }
    };
    for (const key of Object.keys(window)) if (!blank.has(key)) walk((window as unknown as Record<string, unknown>)[key], 0);
    return {
      localStorage: storage(localStorage).join('\n'),
      sessionStorage: storage(sessionStorage).join('\n'),
      indexedDB: databases.join('\n'),
      cookie: document.cookie,
      title: document.title,
      fields: fields.join('\n'),
      globals: globals.join('\n'),
    };
  });
  const cookies = await page.context().cookies();
  return { ...inPage, cookies: JSON.stringify(cookies) };
}

/** All strings in the renderer's JavaScript heap, after a full garbage collection. */
async function heapSnapshot(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => void chunks.push(chunk));
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  return chunks.join('');
}

test.describe('secrets after a full session', () => {
  test('are nowhere in the vault file, logs, DOM, storage, globals or renderer heap', async ({ app, eds }) => {
    test.setTimeout(90_000);
    const { page } = app;
    const second = await startEdsServer();
    try {
      const secrets: Secret[] = [{ what: 'the password', value: ALICE.password }];

      // Server 1: password sign-in, a saved and an unsaved token, copies.
      await addAndSignIn(page, eds, 'Enthought');
      const saved = await createToken(page, 'saved-token');
      secrets.push({ what: 'the saved token', value: saved });
      const shown = page.getByRole('alertdialog', { name: 'API token “saved-token” created' });
      // The show-once dialog is the one place a token may be, while it is open.
      await expect(shown.getByLabel('New token')).toHaveValue(saved);
      await shown.getByLabel('Copy format for saved-token').selectOption('shell');
      await shown.getByRole('button', { name: 'Copy saved-token' }).click();
      await expect.poll(() => app.clipboard.text).toContain(saved);
      await shown.getByRole('button', { name: 'Done' }).click();
      await expect(shown).toBeHidden();
      expect(leaks('the page after the dialog closed', await page.content(), secrets)).toEqual([]);

      const unsaved = await createToken(page, 'unsaved-token', { save: false });
      secrets.push({ what: 'the unsaved token', value: unsaved });
      // The scans can see a secret where one is: in the open dialog's field and in the heap.
      const open = [{ what: 'the token on show', value: unsaved }];
      expect(leaks('fields', (await pageStrings(page)).fields ?? '', open)).toEqual(['the token on show in fields']);
      expect(leaks('heap', await heapSnapshot(page), open)).toContain('the token on show in heap');
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('alertdialog', { name: 'Close without copying?' }).getByRole('button', { name: 'Close anyway' }).click();
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'saved-token', exact: true }) });
      await row.getByLabel('Copy format for saved-token').selectOption('raw');
      await row.getByRole('button', { name: 'Copy saved-token' }).click();
      await expect.poll(() => app.clipboard.text).toBe(saved);

      // Server 2: sign in with an existing API token, revoke another, sign out.
      const pasted = second.createApiToken('alice', 'pasted');
      const other = second.createApiToken('alice', 'to-revoke');
      secrets.push({ what: 'the pasted API token', value: pasted }, { what: 'a token Keyport only listed', value: other });
      await addServer(page, { name: 'Second', url: second.url });
      await page.getByRole('radio', { name: 'Existing API token' }).check();
      await page.getByLabel('API token', { exact: true }).fill(pasted);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(sessionPanel(page).getByText('Signed in as alice')).toBeVisible();
      const table = page.getByRole('table', { name: 'API tokens on Second' });
      await table.getByRole('button', { name: 'Revoke to-revoke' }).click();
      await page.getByRole('alertdialog', { name: 'Revoke “to-revoke”?' }).getByRole('button', { name: 'Revoke token' }).click();
      await expect(table.getByRole('rowheader', { name: 'to-revoke' })).toBeHidden();
      expect(second.hasApiToken('alice', 'to-revoke')).toBe(false);
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();

      const sessions = [...eds.sessionTokens(), ...second.sessionTokens()];
      expect(sessions.length).toBeGreaterThanOrEqual(2);
      for (const [i, value] of sessions.entries()) secrets.push({ what: `EDS session ${i + 1}`, value });

      // The places to look.
      await expect.poll(async () => (await readFile(app.vaultPath, 'utf8')).length).toBeGreaterThan(0);
      const vault = await readFile(app.vaultPath, 'utf8');
      const places: Record<string, string> = {
        'the vault file': vault,
        'the logs': app.logs.join('\n'),
        'the DOM': await page.content(),
        ...(await pageStrings(page)),
        "the renderer's heap": await heapSnapshot(page),
      };
      const found = Object.entries(places).flatMap(([where, text]) => leaks(where, text, secrets));
      expect(found).toEqual([]);

      // The scan can see: the vault does hold the saved token and server 1's session, encrypted.
      expect(vault).toMatch(/"ciphertext": *"v1\./);
      expect(eds.isApiTokenValid(saved)).toBe(true);
      expect(places["the renderer's heap"]).toContain('saved-token');
    } finally {
      await second.close();
    }
  });
});
