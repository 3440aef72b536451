import { useState, type InputHTMLAttributes, type KeyboardEvent } from 'react';

/** A password, passphrase or token field with a Show toggle and a Caps Lock warning. */
export function SecretInput(props: Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  const [shown, setShown] = useState(false);
  const [capsLock, setCapsLock] = useState(false);
  const readCapsLock = (event: KeyboardEvent<HTMLInputElement>) => setCapsLock(event.getModifierState('CapsLock'));
  return (
    <>
      <span className="secret-input">
        <input
          {...props}
          type={shown ? 'text' : 'password'}
          onKeyDown={(event) => {
            readCapsLock(event);
            props.onKeyDown?.(event);
          }}
          onKeyUp={readCapsLock}
          onBlur={(event) => {
            setCapsLock(false);
            props.onBlur?.(event);
          }}
        />
        <button type="button" className="reveal" aria-pressed={shown} aria-controls={props.id} onClick={() => setShown((s) => !s)}>
          Show
        </button>
      </span>
      {capsLock ? (
        <small className="caps-warning" role="status">
          Caps Lock is on
        </small>
      ) : null}
    </>
  );
}
