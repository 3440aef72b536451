import { useState, type FormEvent } from 'react';
import type { Theme } from '../../../shared/model';
import { saveSettings } from '../actions/settings';
import { useKeyport } from '../store';
import { Dialog } from './Dialog';
import { DialogFooter } from './DialogFooter';
import { preferredCopyFormat } from '../../../shared/copyFormat';
import { Field } from './Field';
import { UnlockSecretDialog, type UnlockSecretChange } from './UnlockSecretDialog';
import { useAction } from './useAction';

export function SettingsDialog({ onClose }: { onClose(): void }) {
  const settings = useKeyport((s) => s.settings);
  const [clear, setClear] = useState(String(settings?.clipboardClearSeconds ?? 30));
  const [timeout, setTimeoutValue] = useState(String(settings?.requestTimeoutSeconds ?? 15));
  const [idle, setIdle] = useState(String(settings?.idleLockMinutes ?? 15));
  const [theme, setTheme] = useState<Theme>(settings?.theme ?? 'system');
  const [reminders, setReminders] = useState((settings?.reminderDays ?? [30, 7]).join(', '));
  const kinds = useKeyport((s) => s.kinds);
  const copyKinds = kinds.filter((k) => k.copyFormats.length > 1);
  const [copyFormats, setCopyFormats] = useState<Record<string, string>>(() => Object.fromEntries(copyKinds.map((k) => [k.kind, preferredCopyFormat(k, settings)])));
  const { busy, error, run } = useAction();
  const lock = useKeyport((s) => s.status?.lock);
  const [secretChange, setSecretChange] = useState<UnlockSecretChange | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const saved = await run(() => saveSettings({ clipboardClearSeconds: Number(clear), requestTimeoutSeconds: Number(timeout), idleLockMinutes: Number(idle), theme, reminderDays: parseDays(reminders), defaultCopyFormats: copyFormats }));
    if (saved) onClose();
  };

  return (
    <>
      <Dialog title="Settings" onClose={onClose}>
        <form className="form" onSubmit={submit} noValidate>
          <Field label="Clear the clipboard after (seconds)" hint="Keyport clears it only if it still holds what Keyport copied.">
            {(p) => <input {...p} type="number" min={5} max={600} value={clear} onChange={(e) => setClear(e.target.value)} aria-invalid={error?.field === 'clipboardClearSeconds' || undefined} />}
          </Field>
          <Field label="Wait for a server’s answer (seconds)">
            {(p) => <input {...p} type="number" min={1} max={300} value={timeout} onChange={(e) => setTimeoutValue(e.target.value)} aria-invalid={error?.field === 'requestTimeoutSeconds' || undefined} />}
          </Field>
          <Field label="Lock after idle (minutes)" hint="Counts only your typing and clicks. 0 never locks by itself.">
            {(p) => <input {...p} type="number" min={0} max={1440} value={idle} onChange={(e) => setIdle(e.target.value)} aria-invalid={error?.field === 'idleLockMinutes' || undefined} />}
          </Field>
          <fieldset className="fieldset">
            <legend>Unlock</legend>
            {lock?.unlockWith === 'vault-passphrase' ? (
              <p className="muted">Your vault passphrase unlocks Keyport.</p>
            ) : lock?.unlockWith === 'unlock-secret' ? (
              <>
                <p className="muted">Keyport asks for your unlock PIN{lock.systemCheck ? ` or ${lock.systemCheck}` : ''} when it starts and when it is locked.</p>
                <div className="actions start">
                  <button type="button" onClick={() => setSecretChange('change')}>
                    Change unlock PIN…
                  </button>
                  <button type="button" onClick={() => setSecretChange('remove')}>
                    Remove unlock PIN…
                  </button>
                </div>
              </>
            ) : (
              <>
                <p className="muted">No unlock PIN: locking only clears secrets from memory, and anyone at this computer can open Keyport again.</p>
                <div className="actions start">
                  <button type="button" onClick={() => setSecretChange('set')}>
                    Set unlock PIN…
                  </button>
                </div>
              </>
            )}
          </fieldset>
          <Field label="Remind me before a saved key expires (days)" hint="For example 30, 7. Leave empty for no reminders.">
            {(p) => <input {...p} inputMode="numeric" value={reminders} onChange={(e) => setReminders(e.target.value)} aria-invalid={error?.field?.startsWith('reminderDays') || undefined} />}
          </Field>
          <Field label="Appearance">
            {(p) => (
              <select {...p} value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
                <option value="system">Follow the system</option>
                <option value="light">Light</option>
                <option value="dark">Dark</option>
              </select>
            )}
          </Field>
          {copyKinds.length > 0 ? (
            <fieldset className="fieldset">
              <legend>Default copy format</legend>
              {copyKinds.map((kind) => (
                <Field key={kind.kind} label={kind.label}>
                  {(p) => (
                    <select {...p} value={copyFormats[kind.kind] ?? kind.defaultCopyFormat} onChange={(e) => setCopyFormats({ ...copyFormats, [kind.kind]: e.target.value })}>
                      {kind.copyFormats.map((f) => (
                        <option key={f.id} value={f.id}>
                          {f.label}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              ))}
            </fieldset>
          ) : null}
          <DialogFooter error={error} onCancel={onClose} submitLabel="Save settings" busy={busy} />
        </form>
      </Dialog>
      {secretChange ? <UnlockSecretDialog change={secretChange} onClose={() => setSecretChange(null)} /> : null}
    </>
  );
}

/** "30, 7" → [30, 7]. Anything that is not a number becomes NaN, which the settings schema
 * refuses with a message beside the field. */
function parseDays(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
}
