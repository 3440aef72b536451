import { readFile } from 'node:fs/promises';
import { addAndSignIn, createToken, expect, test } from './fixtures';

test.describe('activity log', () => {
  test('lists what was done with tokens, newest first, survives a restart, and exports CSV without a secret', async ({ app, eds }) => {
    const { page } = app;
    await addAndSignIn(page, eds);
    const kept = await createToken(page, 'deploy', { save: true });
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /deploy/ });
    await row.getByLabel('Copy format for deploy').selectOption('shell');
    await row.getByRole('button', { name: 'Copy deploy' }).click();
    await expect.poll(() => app.clipboard.text).toContain(kept);
    const revoked = await createToken(page, '=cmd|calc', { save: false });
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('alertdialog', { name: 'Close without copying?' }).getByRole('button', { name: 'Close anyway' }).click();
    await page.getByRole('button', { name: 'Revoke =cmd|calc' }).click();
    await page.getByRole('alertdialog', { name: 'Revoke “=cmd|calc”?' }).getByRole('button', { name: 'Revoke token' }).click();
    await expect(page.getByRole('rowheader', { name: '=cmd|calc' })).toBeHidden();

    // The log is Keyport's own, kept across restarts.
    await page.reload();
    await page.getByRole('button', { name: 'Activity' }).click();
    const dialog = page.getByRole('dialog', { name: 'Activity' });
    const rows = dialog.getByRole('table').getByRole('row');
    await expect(rows).toHaveCount(5);
    const texts = await rows.allInnerTexts();
    expect(texts.slice(1).map((t) => t.split('\t').slice(1).join(' | '))).toEqual([
      'Revoked | Enthought | =cmd|calc | ',
      'Created | Enthought | =cmd|calc | ',
      'Copied | Enthought | deploy | Shell (export)',
      'Created | Enthought | deploy | saved in Keyport',
    ]);

    const download = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export as CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^keyport-activity-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await file.path()) ?? '', 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('Time (UTC),Action,Server,Kind,Token,Detail');
    expect(lines).toHaveLength(5);
    // A name a spreadsheet would run as a formula is defused.
    expect(lines[4]).toMatch(/,Revoked,Enthought,eds,'=cmd\|calc,$/);
    for (const secret of [kept, revoked, 'wonderland-secret']) {
      expect(csv).not.toContain(secret);
      expect(await page.content()).not.toContain(secret);
    }
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  });

  test('with nothing done yet, says so and offers no export', async ({ app }) => {
    const { page } = app;
    await page.getByRole('button', { name: 'Activity' }).click();
    const dialog = page.getByRole('dialog', { name: 'Activity' });
    await expect(dialog).toContainText('Nothing yet.');
    await expect(dialog.getByRole('button', { name: 'Export as CSV' })).toBeDisabled();
  });
});
