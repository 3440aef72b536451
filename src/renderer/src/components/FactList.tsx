import { ServerText } from './ServerText';

/** The most of a fact's value shown inline: URLs and claims run long, names do not. */
const FACT_VALUE_LENGTH = 500;

/** Label–value pairs as a description list (discovery facts, ID token claims). Values wrap
 * anywhere: they are URLs and tokens' claims, often without spaces. Both come from the server,
 * so both are shown through ServerText. */
export function FactList({ facts, label }: { facts: ReadonlyArray<{ label: string; value: string }>; label: string }) {
  return (
    <dl className="facts" aria-label={label}>
      {facts.map((f) => (
        <div key={f.label} className="fact">
          <dt>
            <ServerText text={f.label} />
          </dt>
          <dd>
            <ServerText text={f.value} max={FACT_VALUE_LENGTH} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
