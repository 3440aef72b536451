import { displayParts } from '../../../shared/displayText';

/** Text a server chose (a token, user, client or claim name, a description), shown safely:
 * control and text-direction characters made visible, cut at `max` characters, the whole
 * visible text in the tooltip when it was cut or changed. `<bdi>` keeps a right-to-left name
 * from reordering the text around it. */
export function ServerText({ text, max }: { text: string; max?: number }) {
  const { shown, full } = displayParts(text, max);
  return <bdi title={full}>{shown}</bdi>;
}
