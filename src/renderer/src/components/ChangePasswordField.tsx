import type { KeyportErrorShape } from '../../../shared/errors';
import { Field } from './Field';

/** The account password a change on the server needs (Tapis clients API); used once, not kept. */
export function ChangePasswordField({ value, onChange, error }: { value: string; onChange(value: string): void; error: KeyportErrorShape | null }) {
  return (
    <Field label="Account password" hint="Needed for this change; not kept.">
      {(p) => <input {...p} type="password" value={value} onChange={(e) => onChange(e.target.value)} autoComplete="current-password" aria-invalid={error?.field === 'password' || undefined} />}
    </Field>
  );
}
