import { useEffect, useId, useState, type ChangeEvent } from 'react';
import type { KeyportErrorShape } from '../../../shared/errors';

/** Errors shown where they are: the form's own checks for required fields (all at once) and
 * the core's error when it names one of the form's fields. After each submit, focus goes to
 * the first invalid field; editing a field clears its error. */
export function useFieldErrors(error: KeyportErrorShape | null, setError: (error: KeyportErrorShape | null) => void, fields: readonly string[]) {
  const formId = useId();
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [attempt, setAttempt] = useState(0);
  const coreField = error?.field && fields.includes(error.field) ? error.field : null;
  const errors: Record<string, string> = { ...missing };
  if (error && coreField && !errors[coreField]) errors[coreField] = error.hint ? `${error.message} ${error.hint}` : error.message;

  // Runs after the render that shows the errors, so aria-invalid is already set: after each
  // submit, and when the core's answer is an error (not when an edit clears one).
  useEffect(() => {
    if (attempt > 0) focusFirstInvalid(formId);
  }, [attempt, formId]);
  useEffect(() => {
    if (error) focusFirstInvalid(formId);
  }, [error, formId]);

  const edited = (field: string): void => {
    if (missing[field]) setMissing(({ [field]: _gone, ...rest }) => rest);
    if (error?.field === field) setError(null);
  };

  return {
    /** The form's id (the first invalid field is found in it). */
    formId,
    /** Each field's error, if any. */
    errors,
    /** The error that is about no field shown here: for the form's own error box. */
    formError: coreField ? null : error,
    /** Checks the required fields ([value, message] by field); false if one is empty. */
    checkRequired(required: Record<string, readonly [value: string, message: string]>): boolean {
      const found = Object.fromEntries(Object.entries(required).flatMap(([field, [value, message]]) => (value.trim() === '' ? [[field, message]] : [])));
      setMissing(found);
      setAttempt((n) => n + 1);
      return Object.keys(found).length === 0;
    },
    /** A field was edited: its old error no longer applies. */
    edited,
    /** An input's onChange: keeps the value and clears the field's old error. */
    onEdit: (field: string, set: (value: string) => void) => (event: ChangeEvent<HTMLInputElement>) => {
      set(event.target.value);
      edited(field);
    },
  };
}

function focusFirstInvalid(formId: string): void {
  document.getElementById(formId)?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
