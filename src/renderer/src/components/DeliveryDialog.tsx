import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { DeliveryResult, DeliveryStep, DeliveryTargetView, RotationResult, SessionFileDescriptor } from '../../../shared/model';
import { cancelDelivery, deliveryTargets, forgetTarget, onDeliveryProgress, rollBackRotation, rotateDelivered, sendDelivery } from '../actions/delivery';
import { ChangePasswordField } from './ChangePasswordField';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { Field } from './Field';
import { useAction } from './useAction';
import { TimeText } from './TimeText';
import { useNow } from './useNow';

type Format = DeliveryTargetView['format'];
const FORMATS: ReadonlyArray<{ id: Format; label: string }> = [
  { id: 'env', label: 'Env file (KEY=value lines, merged)' },
  { id: 'npmrc', label: '.npmrc (this registry’s line, merged)' },
  { id: 'plain', label: 'Plain file (the token only)' },
];

/** The path a format suggests. */
function defaultPath(format: Format, sessionFile: SessionFileDescriptor | null): string {
  if (format === 'session-file' && sessionFile) return sessionFile.displayPath;
  return format === 'npmrc' ? '~/.npmrc' : format === 'plain' ? '~/.config/keyport-token' : '~/.config/keyport.env';
}

const STEP_TEXT: Record<DeliveryStep, string> = {
  connecting: 'Connecting and checking the host key…',
  reading: 'Reading the file there…',
  writing: 'Writing the new file…',
  verifying: 'Reading it back to check…',
};

/** A saved token's machines: where it was delivered over SSH, a form to send it to another,
 * and Rotate (a new token delivered everywhere, then the old one revoked). */
export function DeliveryDialog({
  secretId,
  name,
  kindIsNpm,
  canRotate,
  sessionFile = null,
  sessionOnly = false,
  onClose,
}: {
  secretId: string;
  name: string;
  kindIsNpm: boolean;
  canRotate: boolean;
  /** The kind's own session file, when what is delivered can go in it. */
  sessionFile?: SessionFileDescriptor | null;
  /** A session: delivered only in its session file. */
  sessionOnly?: boolean;
  onClose(): void;
}) {
  const initialFormat: Format = sessionOnly ? 'session-file' : kindIsNpm ? 'npmrc' : 'env';
  const formats = [
    ...FORMATS.filter((f) => !sessionOnly && (kindIsNpm || f.id !== 'npmrc')),
    ...(sessionFile ? [{ id: 'session-file' as const, label: `${sessionFile.displayPath} (${sessionFile.consumer}’s own file, merged)` }] : []),
  ];
  const now = useNow(60_000);
  const [targets, setTargets] = useState<DeliveryTargetView[]>([]);
  const [host, setHost] = useState('');
  const [port, setPort] = useState('');
  const [user, setUser] = useState('');
  const [path, setPath] = useState(defaultPath(initialFormat, sessionFile));
  const [format, setFormat] = useState<Format>(initialFormat);
  const chooseFormat = (next: Format) => {
    // A path the person has not changed follows the format.
    if (path === defaultPath(format, sessionFile)) setPath(defaultPath(next, sessionFile));
    setFormat(next);
  };
  const [confirm, setConfirm] = useState<Extract<DeliveryResult, { state: 'confirm-host' }> | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [rotation, setRotation] = useState<RotationResult | null>(null);
  const [step, setStep] = useState<DeliveryStep>('connecting');
  /** The account password, asked for when the kind manages tokens with it (npm) and Keyport does not remember it. */
  const [password, setPassword] = useState<string | null>(null);
  const sending = useAction();
  const rotating = useAction();
  const currentId = rotation?.state === 'done' && rotation.newSecretId ? rotation.newSecretId : secretId;

  const load = useCallback(async () => {
    setTargets(await deliveryTargets(currentId));
  }, [currentId]);
  useEffect(() => {
    // Loaded when the dialog opens and when a rotation moves the targets to the new token.
    void deliveryTargets(currentId).then(setTargets);
  }, [currentId]);

  useEffect(() => onDeliveryProgress(secretId, setStep), [secretId]);

  const send = async (trustFingerprint?: string) => {
    setStatus(null);
    setStep('connecting');
    const result = await sending.run(() =>
      sendDelivery({
        secretId,
        host,
        path,
        format,
        ...(port ? { port: Number(port) } : {}),
        ...(user ? { user } : {}),
        ...(trustFingerprint ? { trustFingerprint } : {}),
      }),
    );
    if (!result) return;
    if (result.state === 'confirm-host') {
      setConfirm(result);
      return;
    }
    setConfirm(null);
    setStatus(`Delivered to ${result.target.host}:${result.target.path}${result.backedUp ? ' (the previous file was kept as .keyport-backup)' : ''}.`);
    await load();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send();
  };
  const rotate = async () => {
    const result = await rotating.run(() => rotateDelivered(secretId, password));
    if (result) setRotation(result);
    // Used for this rotation only; kept while a stopped one may be retried or rolled back.
    if (result?.state === 'done') setPassword(null);
    await load();
  };
  const rollBack = async () => {
    const result = await rotating.run(() => rollBackRotation(secretId, password));
    if (result) setRotation(result);
    if (result?.state === 'done') setPassword(null);
    await load();
  };
  const forget = async (targetId: string) => {
    await forgetTarget(currentId, targetId);
    await load();
  };

  return (
    <Dialog title={`Machines for ${name}`} onClose={onClose} wide>
      <section aria-labelledby="delivery-targets-title">
        <h3 id="delivery-targets-title">Delivered to</h3>
        {targets.length === 0 ? (
          <p className="muted">Not delivered anywhere yet.</p>
        ) : (
          <table className="targets">
            <thead>
              <tr>
                <th scope="col">Machine</th>
                <th scope="col">File</th>
                <th scope="col">Format</th>
                <th scope="col">Last delivery</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {targets.map((t) => (
                <tr key={t.id}>
                  <th scope="row">
                    {t.user ? `${t.user}@` : ''}
                    {t.host}
                    {t.port ? `:${t.port}` : ''}
                  </th>
                  <td className="mono">{t.path}</td>
                  <td>{t.format === 'session-file' ? 'session file' : t.format}</td>
                  <td>
                    <TimeText at={t.lastDeliveredAt} now={now} empty="Never" />
                  </td>
                  <td className="row-actions">
                    <button type="button" className="quiet" onClick={() => void forget(t.id)} aria-label={`Forget ${t.host}:${t.path}`}>
                      Forget
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canRotate && targets.length > 0 && rotation?.state !== 'done' ? (
          <div className="actions">
            <button type="button" onClick={() => void rotate()} disabled={rotating.busy}>
              {rotation?.state === 'stopped' ? 'Retry rotation' : 'Rotate'}
            </button>
            {rotation?.state === 'stopped' ? (
              <button type="button" className="danger-quiet" onClick={() => void rollBack()} disabled={rotating.busy}>
                Roll back
              </button>
            ) : null}
          </div>
        ) : null}
        {password !== null || rotating.error?.code === 'PASSWORD_REQUIRED' ? <ChangePasswordField value={password ?? ''} onChange={setPassword} error={rotating.error} /> : null}
        {rotating.busy ? <p role="status">Rotating: creating the new token, delivering it and checking each machine…</p> : null}
        <ErrorMessage error={rotating.error} />
        {rotation ? (
          <ol className="rotation-steps" aria-label="Rotation steps">
            {rotation.steps.map((s, i) => (
              <li key={i} className={s.ok ? undefined : 'error-message'}>
                {s.ok ? '✓ ' : '✗ '}
                {s.message}
              </li>
            ))}
          </ol>
        ) : null}
      </section>

      <form onSubmit={submit} aria-labelledby="delivery-send-title">
        <h3 id="delivery-send-title">Send to a machine</h3>
        <Field label="Host" hint="A host name, an address or an alias from ~/.ssh/config.">
          {(p) => <input {...p} value={host} onChange={(e) => setHost(e.target.value)} required autoComplete="off" spellCheck={false} />}
        </Field>
        <Field label="Port" hint="Empty: the config’s or 22.">
          {(p) => <input {...p} value={port} onChange={(e) => setPort(e.target.value.replace(/\D/g, ''))} inputMode="numeric" autoComplete="off" />}
        </Field>
        <Field label="User" hint="Empty: the config’s or yours.">
          {(p) => <input {...p} value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" spellCheck={false} />}
        </Field>
        <Field label="File" hint="Written atomically with mode 0600; the previous file is kept as .keyport-backup.">
          {(p) => <input {...p} value={path} onChange={(e) => setPath(e.target.value)} required autoComplete="off" spellCheck={false} />}
        </Field>
        <Field label="Format">
          {(p) => (
            <select {...p} value={format} onChange={(e) => chooseFormat(e.target.value as Format)}>
              {formats.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {confirm ? (
          <div className="notice" role="alert">
            <p>
              Keyport has not connected to {confirm.host}:{confirm.port} before. Its {confirm.keyType} key fingerprint is <code className="mono">{confirm.fingerprint}</code>. Trust it only if it matches the one
              the machine’s owner gives you.
            </p>
            <div className="actions">
              <button type="button" onClick={() => setConfirm(null)}>
                Don’t trust
              </button>
              <button type="button" onClick={() => void send(confirm.fingerprint)} disabled={sending.busy}>
                Trust and send
              </button>
            </div>
          </div>
        ) : null}
        {sending.busy ? (
          <p role="status">
            {STEP_TEXT[step]}{' '}
            <button type="button" className="quiet" onClick={() => void cancelDelivery(secretId)}>
              Cancel
            </button>
          </p>
        ) : null}
        {status ? <p role="status">{status}</p> : null}
        <ErrorMessage error={sending.error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" disabled={sending.busy || confirm !== null}>
            Send
          </button>
        </div>
      </form>
    </Dialog>
  );
}
