import { useState } from 'react';
import type { KeyportErrorShape } from '../../../shared/errors';
import { toShape } from '../store';
import { Field } from './Field';

/** A one-time password, asked for only once the server says it needs one (OTP_REQUIRED). */
export function useOtpPrompt() {
  const [asked, setAsked] = useState(false);
  const [otp, setOtp] = useState('');
  /** Calls with the code when one was asked for and typed; afterwards the field shows only if
   * the server asked (again), and is empty. */
  const withOtp = async <T,>(call: (code: string | undefined) => Promise<T>): Promise<T> => {
    const code = asked && otp.trim() ? otp.trim() : undefined;
    try {
      const result = await call(code);
      setAsked(false);
      return result;
    } catch (e) {
      setAsked(toShape(e).code === 'OTP_REQUIRED');
      throw e;
    } finally {
      setOtp('');
    }
  };
  const reset = () => {
    setAsked(false);
    setOtp('');
  };
  return { asked, otp, setOtp, withOtp, reset };
}

/** The one-time password field, for `what` ("create a token"). */
export function OtpField({ prompt, what, error }: { prompt: ReturnType<typeof useOtpPrompt>; what: string; error: KeyportErrorShape | null }) {
  if (!prompt.asked) return null;
  return (
    <Field label="One-time password" hint={`The code from your authenticator app; the server asks for it to ${what}.`}>
      {(p) => (
        <input {...p} value={prompt.otp} onChange={(e) => prompt.setOtp(e.target.value)} autoComplete="one-time-code" inputMode="numeric" spellCheck={false} autoFocus maxLength={64} aria-invalid={error?.field === 'otp' || undefined} />
      )}
    </Field>
  );
}
