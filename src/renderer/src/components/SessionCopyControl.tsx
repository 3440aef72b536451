import { useId, useState } from 'react';
import type { KindDescriptor, ServerView } from '../../../shared/model';
import { copySession } from '../actions/clipboard';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';

/** Copy part of the live session (access token, refresh token, a whole session file). Main
 * renews the session first if needed and copies; the value never comes here. */
export function SessionCopyControl({ server, kind }: { server: ServerView; kind: KindDescriptor }) {
  const [format, setFormat] = useState(kind.sessionCopyFormats[0]?.id ?? '');
  const { busy, error, run } = useAction();
  const id = useId();
  if (kind.sessionCopyFormats.length === 0) return null;
  return (
    <span className="copy-control">
      <label htmlFor={id} className="copy-label">
        Copy from this session
      </label>
      <select id={id} value={format} onChange={(e) => setFormat(e.target.value)}>
        {kind.sessionCopyFormats.map((f) => (
          <option key={f.id} value={f.id}>
            {f.label}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => run(() => copySession(server.id, format))} disabled={busy}>
        Copy
      </button>
      <ErrorMessage error={error} />
    </span>
  );
}
