import { useId, type ReactNode } from 'react';

export interface FieldControlProps {
  id: string;
  'aria-describedby': string | undefined;
}

/** A labelled control whose hint is its description, not part of its name, so screen
 * readers announce "Password, edit" and then the hint. */
export function Field({ label, hint, children }: { label: string; hint?: ReactNode; children(props: FieldControlProps): ReactNode }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': hint ? hintId : undefined })}
      {hint ? (
        <small id={hintId} className="muted">
          {hint}
        </small>
      ) : null}
    </div>
  );
}
