import type { KeyportErrorShape } from '../../../shared/errors';
import { makeSessionFilePrivate } from '../actions/sessionFiles';
import { useAction } from './useAction';

/** For a session file refused only because its group could change it (error field `fileMode`):
 * one click makes it private (mode 600), then `retry` runs the import or export again. */
export function MakePrivateButton({ error, kind, path, retry }: { error: KeyportErrorShape | null; kind: string; path: string; retry(): void }) {
  const fix = useAction();
  if (error?.field !== 'fileMode') return null;
  const makePrivate = async () => {
    const done = await fix.run(async () => {
      await makeSessionFilePrivate(kind, path);
      return true;
    });
    if (done) retry();
  };
  return (
    <div className="actions">
      {fix.error ? <span className="error-hint" role="alert">{fix.error.message}</span> : null}
      <button type="button" onClick={() => void makePrivate()} disabled={fix.busy}>
        Make it private (600) and try again
      </button>
    </div>
  );
}
