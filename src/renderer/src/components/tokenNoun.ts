import type { KindDescriptor } from '../../../shared/model';

/** "token" for kinds whose noun is some kind of token ("API token"), else the noun itself
 * ("OAuth client"): for button labels such as "Create token" / "Delete OAuth client". */
export const shortTokenNoun = (kind: KindDescriptor): string => (/token$/i.test(kind.tokenNoun) ? 'token' : kind.tokenNoun);

/** The noun inside a sentence: "API token" stays "API token", "OAuth client" stays as is,
 * "Token" becomes "token". Only a capital that is not part of an acronym is lowered. */
export const nounInSentence = (noun: string): string => (/^[A-Z][^A-Z]/.test(noun) ? noun[0]!.toLowerCase() + noun.slice(1) : noun);
