import type { KeyportErrorShape } from '../../../shared/errors';

/** An error as a person can act on it: what happened, and what to do. */
export function ErrorMessage({ error }: { error: KeyportErrorShape | null }) {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <strong className="error-message">{error.message}</strong>
      {error.hint ? <span className="error-hint">{error.hint}</span> : null}
    </div>
  );
}
