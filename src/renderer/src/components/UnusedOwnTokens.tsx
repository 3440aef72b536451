import { useMemo, useState } from 'react';
import type { KindDescriptor, ServerView, TokenView } from '../../../shared/model';
import { revokeTokens } from '../actions/tokens';
import { needsAccountPassword } from './AccountPasswordForm';
import { ChangePasswordField } from './ChangePasswordField';
import { ConfirmDialog } from './ConfirmDialog';
import { useAction } from './useAction';

/** Tokens Keyport made for its own sign-ins (named with `kind.ownTokenPrefix`) that no session
 * uses and whose secret Keyport does not keep: nobody can use them through Keyport any more.
 * Offered for deletion in one go, after a confirmation. */
export function UnusedOwnTokens({ server, kind, items }: { server: ServerView; kind: KindDescriptor; items: readonly TokenView[] }) {
  const [confirming, setConfirming] = useState(false);
  const [password, setPassword] = useState('');
  const action = useAction();
  const prefix = kind.ownTokenPrefix;
  // Once per list, not on every keystroke in the filter above (which draws this again).
  const unused = useMemo(() => (prefix ? items.filter((t) => t.name.startsWith(prefix) && !t.usedBySession && t.savedSecretId === null) : []), [items, prefix]);
  if (unused.length === 0) return null;
  const askPassword = needsAccountPassword(server, kind);
  const noun = `${kind.tokenNoun}${unused.length === 1 ? '' : 's'}`;

  const close = () => {
    setConfirming(false);
    setPassword('');
    action.setError(null);
  };
  const deleteAll = async () => {
    const given = askPassword ? password : undefined;
    const done = await action.run(async () => {
      await revokeTokens(server.id, unused.map((t) => t.id), given);
      return true;
    });
    if (done) close();
  };

  return (
    <div className="unused-own">
      <p className="muted">
        {unused.length} {noun} named {prefix}… {unused.length === 1 ? 'was' : 'were'} made by Keyport for earlier sign-ins and {unused.length === 1 ? 'is' : 'are'} no longer used by it.{' '}
        <button type="button" onClick={() => setConfirming(true)}>
          Delete {unused.length} unused {noun}…
        </button>
      </p>
      {confirming ? (
        <ConfirmDialog
          title={`Delete ${unused.length} unused ${noun}?`}
          message={`${unused.map((t) => `“${t.name}”`).join(', ')} will be deleted from ${server.name}. Keyport keeps no secret for them; anything else that uses them loses access.`}
          confirmLabel={`${kind.revokeVerb} ${unused.length}`}
          busy={action.busy}
          error={action.error}
          onConfirm={deleteAll}
          onClose={close}
        >
          {askPassword ? (
            <ChangePasswordField value={password} onChange={setPassword} error={action.error} />
          ) : null}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
