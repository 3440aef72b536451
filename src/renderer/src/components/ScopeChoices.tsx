import { useId } from 'react';
import type { FieldDescriptor } from '../../../shared/model';

/** A create field whose value is some of the session's scopes (FieldDescriptor
 * `choicesFromSessionScopes`): one checkbox each, the value being the picked ones separated by
 * spaces, none picked meaning "the server's default". */
export function ScopeChoices({ field, scopes, value, invalid, onChange }: { field: FieldDescriptor; scopes: string[]; value: string; invalid: boolean; onChange(value: string): void }) {
  const hintId = useId();
  const picked = new Set(value.split(' ').filter(Boolean));
  const toggle = (scope: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(scope);
    else next.delete(scope);
    // In the session's order, so the same picks always give the same text.
    onChange(scopes.filter((s) => next.has(s)).join(' '));
  };
  return (
    <fieldset className={invalid ? 'fieldset invalid' : 'fieldset'} aria-describedby={field.hint ? hintId : undefined}>
      <legend>{field.label}</legend>
      {field.hint ? (
        <small id={hintId} className="muted">
          {field.hint}
        </small>
      ) : null}
      <div className="choice-list">
        {scopes.map((scope) => (
          <label key={scope} className="check">
            <input type="checkbox" checked={picked.has(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
            <span className="mono">{scope}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
