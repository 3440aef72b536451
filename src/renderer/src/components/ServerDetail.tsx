import { useEffect, useState } from 'react';
import type { ServerView } from '../../../shared/model';
import { removeServer } from '../actions/servers';
import { useKeyport, useKind } from '../store';
import { ConfirmDialog } from './ConfirmDialog';
import { CreateTokenDialog } from './CreateTokenDialog';
import { ErrorMessage } from './ErrorMessage';
import { ServerDescriptionPanel } from './ServerDescriptionPanel';
import { ServerFormDialog } from './ServerFormDialog';
import { SessionPanel } from './SessionPanel';
import { SignInPanel } from './SignInPanel';
import { urlPathWarning } from '../../../shared/urlPathWarning';
import { GoneSavedCopies } from './GoneSavedCopies';
import { TokenTable } from './TokenTable';
import { shortTokenNoun } from './tokenNoun';
import { useAction } from './useAction';

type Open = 'edit' | 'remove' | 'create' | null;

export function ServerDetail({ server }: { server: ServerView }) {
  const kind = useKind(server.kind);
  const loadTokens = useKeyport((s) => s.loadTokens);
  const tokensStatus = useKeyport((s) => s.tokens[server.id]?.status ?? 'idle');
  const [open, setOpen] = useState<Open>(null);
  const action = useAction();
  const signedIn = server.session.state === 'signed-in';
  // Kinds without a token list (OpenID Connect) show the session's own tokens only.
  const hasTokenList = kind?.tokenList !== false;

  useEffect(() => {
    if (signedIn && hasTokenList && tokensStatus === 'idle') void loadTokens(server.id);
  }, [signedIn, hasTokenList, tokensStatus, server.id, loadTokens]);

  if (!kind) return <p className="muted">Unknown server kind “{server.kind}”.</p>;

  const remove = async () => {
    const done = await action.run(async () => {
      await removeServer(server.id);
      return true;
    });
    if (done) setOpen(null);
  };

  return (
    <article className="detail" aria-labelledby="server-title">
      <header className="detail-header">
        <div>
          <h2 id="server-title">{server.name}</h2>
          <p className="muted">
            <span className="badge">{kind.label}</span> <span className="url">{server.url}</span>
          </p>
          {kind.serverFields.map((f) =>
            server.options[f.id] ? (
              <p key={f.id} className="muted">
                {f.label}: <span className="url">{server.options[f.id]}</span>
              </p>
            ) : null,
          )}
          {urlPathWarning(kind, server.url) ? (
            <p className="warning" role="note">
              ⚠ {urlPathWarning(kind, server.url)}
            </p>
          ) : null}
          {server.allowInsecureTls ? (
            <p className="warning" role="note">
              ⚠ Insecure TLS is allowed: Keyport does not verify this server’s certificate.
            </p>
          ) : null}
        </div>
        <div className="header-actions">
          <button type="button" onClick={() => setOpen('edit')}>
            Edit
          </button>
          <button type="button" className="danger-quiet" onClick={() => setOpen('remove')}>
            Remove
          </button>
        </div>
      </header>

      {server.session.state === 'signed-out' && server.session.notice ? (
        <p className="warning" role="status">
          {server.session.notice}
        </p>
      ) : null}
      {server.session.state === 'signed-in' ? (
        <SessionPanel server={server} kind={kind} />
      ) : (
        <SignInPanel key={server.id} server={server} kind={kind} />
      )}
      <ErrorMessage error={open === null ? action.error : null} />

      {kind.serverDescription ? <ServerDescriptionPanel server={server} kind={kind} /> : null}

      {signedIn && hasTokenList ? (
        <section className="panel tokens-panel" aria-labelledby="tokens-title">
          <div className="section-header">
            <h3 id="tokens-title" tabIndex={-1}>{kind.tokenNoun}s</h3>
            <div className="header-actions">
              <button type="button" onClick={() => loadTokens(server.id)} disabled={tokensStatus === 'loading'}>
                Reload
              </button>
              <button type="button" className="primary" onClick={() => setOpen('create')}>
                Create {shortTokenNoun(kind)}
              </button>
            </div>
          </div>
          <TokenTable server={server} kind={kind} />
          <GoneSavedCopies server={server} kind={kind} />
        </section>
      ) : null}

      {open === 'edit' ? <ServerFormDialog server={server} onClose={() => setOpen(null)} /> : null}
      {open === 'create' ? <CreateTokenDialog server={server} kind={kind} onClose={() => setOpen(null)} /> : null}
      {open === 'remove' ? (
        <ConfirmDialog
          title={`Remove “${server.name}”?`}
          message={`Keyport forgets this server, its session and the tokens saved for it. Tokens stay valid on the server: revoke them first if they should stop working.`}
          confirmLabel="Remove server"
          busy={action.busy}
          error={action.error}
          onConfirm={remove}
          onClose={() => setOpen(null)}
        />
      ) : null}
    </article>
  );
}
