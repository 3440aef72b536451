import { useId, type ReactNode } from 'react';

export interface FieldControlProps {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid'?: true;
}

/** A labelled control whose hint is its description, not part of its name, so screen
 * readers announce "Password, edit" and then the hint. An error shows under the control,
 * marks it invalid and is read with it. */
export function Field({ label, hint, error, children }: { label: string; hint?: ReactNode; error?: string | null; children(props: FieldControlProps): ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  const props: FieldControlProps = { id, 'aria-describedby': describedBy };
  if (error) props['aria-invalid'] = true;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(props)}
      {error ? (
        <small id={errorId} className="field-error" role="alert">
          {error}
        </small>
      ) : null}
      {hint ? (
        <small id={hintId} className="muted">
          {hint}
        </small>
      ) : null}
    </div>
  );
}
