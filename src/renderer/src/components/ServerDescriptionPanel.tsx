import { useEffect, useState } from 'react';
import type { KindDescriptor, ServerDescription, ServerView } from '../../../shared/model';
import { describeServer } from '../actions/servers';
import { toShape } from '../store';
import { ErrorMessage } from './ErrorMessage';
import { FactList } from './FactList';
import { useAction } from './useAction';

/** What the server says about itself (OpenID Connect discovery), read when the server is shown
 * and again on "Check again", for kinds whose descriptor has `serverDescription`. */
export function ServerDescriptionPanel({ server, kind }: { server: ServerView; kind: KindDescriptor }) {
  const [description, setDescription] = useState<ServerDescription | null>(null);
  const { busy, error, setError, run } = useAction();
  const title = kind.serverDescription?.title ?? 'Server';
  const check = async () => {
    const answer = await run(() => describeServer(server.id));
    setDescription(answer ?? null);
  };
  // Read when shown, and again when the address or TLS settings change (an edit).
  useEffect(() => {
    let current = true;
    describeServer(server.id).then(
      (answer) => {
        if (!current) return;
        setDescription(answer);
        setError(null);
      },
      (e: unknown) => {
        if (current) setError(toShape(e));
      },
    );
    return () => {
      current = false;
    };
  }, [server.id, server.url, server.caCertificatePath, server.allowInsecureTls, setError]);

  return (
    <section className="panel" aria-labelledby={`description-${server.id}`}>
      <div className="section-header">
        <h3 id={`description-${server.id}`}>{title}</h3>
        <button type="button" onClick={check} disabled={busy}>
          {busy ? 'Checking…' : 'Check again'}
        </button>
      </div>
      <ErrorMessage error={error} />
      {description && !error ? <FactList facts={description.facts} label={`${title} of ${server.name}`} /> : null}
    </section>
  );
}
