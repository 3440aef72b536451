import { useState } from 'react';
import { sessionDeliveryId, type KindDescriptor, type ServerView } from '../../../shared/model';
import { refreshSession, signInAgainWithBrowser, signOut as signOutOf } from '../actions/signIn';
import { ConfirmDialog } from './ConfirmDialog';
import { DeliveryDialog } from './DeliveryDialog';
import { ErrorMessage } from './ErrorMessage';
import { ExpiryText } from './ExpiryText';
import { ExportSessionDialog } from './ExportSessionDialog';
import { FactList } from './FactList';
import { SessionCopyControl } from './SessionCopyControl';
import { useAction } from './useAction';
import { ServerText } from './ServerText';
import { useKeyport } from '../store';
import { nounInSentence } from './tokenNoun';

const METHOD_NOTES = { password: null, browser: null, device: ' with a code', file: ' (imported session)' } as const;
/** " with an API token", " with an access token", " with a token": the kind's own noun. */
const withPastedNoun = (kind: KindDescriptor): string => {
  const noun = nounInSentence(kind.tokenNoun);
  return ` with ${/^([aeiou]|API)/i.test(noun) ? 'an' : 'a'} ${noun}`;
};

/** A signed-in server's session: who, until when, refresh, copy, export, sign out. */
export function SessionPanel({ server, kind }: { server: ServerView; kind: KindDescriptor }) {
  const [exporting, setExporting] = useState(false);
  const [delivering, setDelivering] = useState(false);
  const [confirmingSignOut, setConfirmingSignOut] = useState(false);
  const [removeEntry, setRemoveEntry] = useState(false);
  const action = useAction();
  // Where secrets are kept now: choosing a passphrase changes it without a reload of the servers.
  const persistent = useKeyport((s) => s.status?.storage.persistent);
  if (server.session.state !== 'signed-in') return null;
  const session = server.session;

  const signOut = async () => {
    const result = await action.run(() => signOutOf(server.id, removeEntry));
    if (result) setConfirmingSignOut(false);
  };
  // Where a CLI file holds this server's entry, signing out asks whether to remove it too.
  const askFirst = Boolean(kind.sessionFile?.removableEntry);
  // The CLIs' `login --force`: a new sign-in even though the current one is still valid.
  const signInAgain = () => action.run(() => signInAgainWithBrowser(server.id));
  const refresh = () => action.run(() => refreshSession(server.id));

  return (
    <section className="panel session" aria-label="Session">
      <p>
        Signed in as <strong>
          <ServerText text={session.user.name} />
        </strong>
        {session.user.email ? (
          <span className="muted">
            {' '}
            (<ServerText text={session.user.email} />)
          </span>
        ) : null}
        {session.user.role ? (
          <span className="muted">
            {' '}
            (<ServerText text={session.user.role} />)
          </span>
        ) : null}
        <span className="muted">{session.method === 'token' ? withPastedNoun(kind) : METHOD_NOTES[session.method]}</span>
        {session.dependsOn && kind.oauthClient ? (
          <span className="muted">
            {' '}
            through {kind.oauthClient.noun} “<ServerText text={session.dependsOn} />”
          </span>
        ) : null}
      </p>
      {session.expiresAt ? (
        <p className="muted" role="status">
          {kind.refreshableSession ? (
            <ExpiryText expiresAt={session.expiresAt} />
          ) : (
            <ExpiryText expiresAt={session.expiresAt} subject={`Keyport’s ${nounInSentence(kind.tokenNoun)}`} />
          )}
        </p>
      ) : null}
      {session.scopes ? (
        <p className="muted full-row">
          Scopes: <span className="url">{session.scopes.length > 0 ? <ServerText text={session.scopes.join(' ')} max={500} /> : 'none said'}</span>
        </p>
      ) : null}
      {session.claims && session.claims.length > 0 ? (
        <details className="claims full-row">
          <summary>Who {server.name} says you are (ID token claims)</summary>
          <FactList facts={session.claims.map((c) => ({ label: c.name, value: c.value }))} label={`ID token claims from ${server.name}`} />
        </details>
      ) : null}
      {!persistent ? <p className="muted">This session lasts until you quit Keyport.</p> : null}
      {session.passwordRemembered ? <p className="muted">Your password is remembered (encrypted) to manage {nounInSentence(kind.tokenNoun)}s.</p> : null}
      {/* The same layout for every kind: what this kind adds, grouped under its name, then the
          session's own buttons in one order (Refresh now, Sign in again, Sign out). */}
      <div className="session-actions full-row">
        {kind.sessionCopyFormats.length > 0 || kind.sessionFile ? (
          <div className="row wrap kind-actions" role="group" aria-label={`${kind.label} actions`}>
            <span className="kind-actions-label" aria-hidden="true">
              {kind.label}
            </span>
            <SessionCopyControl server={server} kind={kind} />
            {kind.sessionFile ? (
              <button type="button" onClick={() => setExporting(true)}>
                Export to {kind.sessionFile.displayPath}…
              </button>
            ) : null}
            {kind.sessionFile ? (
              <button type="button" onClick={() => setDelivering(true)}>
                Send to a machine…
              </button>
            ) : null}
          </div>
        ) : null}
        <div className="row wrap session-buttons">
          {kind.refreshableSession ? (
            <button type="button" onClick={refresh} disabled={action.busy}>
              Refresh now
            </button>
          ) : null}
          {kind.signInMethods.includes('browser') ? (
            <button type="button" onClick={signInAgain} disabled={action.busy}>
              {action.busy ? 'Waiting for the browser…' : 'Sign in again'}
            </button>
          ) : null}
          <button type="button" onClick={askFirst ? () => setConfirmingSignOut(true) : signOut} disabled={action.busy}>
            Sign out
          </button>
        </div>
      </div>
      <ErrorMessage error={confirmingSignOut ? null : action.error} />
      {confirmingSignOut && kind.sessionFile ? (
        <ConfirmDialog
          title={`Sign out of ${server.name}?`}
          message="Keyport forgets its API key for this site. The key stays valid on the server until it expires or is revoked."
          confirmLabel="Sign out"
          busy={action.busy}
          error={action.error}
          onConfirm={signOut}
          onClose={() => setConfirmingSignOut(false)}
        >
          <label className="check">
            <input type="checkbox" checked={removeEntry} onChange={(e) => setRemoveEntry(e.target.checked)} />
            <span>Also remove this site from {kind.sessionFile.displayPath} (a backup is kept)</span>
          </label>
        </ConfirmDialog>
      ) : null}
      {delivering && kind.sessionFile ? (
        <DeliveryDialog secretId={sessionDeliveryId(server.id)} name={`the ${server.name} session`} kindIsNpm={false} canRotate={false} sessionFile={kind.sessionFile} sessionOnly onClose={() => setDelivering(false)} />
      ) : null}
      {exporting && kind.sessionFile ? <ExportSessionDialog server={server} kind={kind} onClose={() => setExporting(false)} /> : null}
    </section>
  );
}
