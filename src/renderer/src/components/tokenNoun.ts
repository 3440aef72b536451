import type { KindDescriptor } from '../../../shared/model';

/** "token" for kinds whose noun is some kind of token ("API token"), else the noun itself
 * ("OAuth client"): for button labels such as "Create token" / "Delete OAuth client". */
export const shortTokenNoun = (kind: KindDescriptor): string => (/token$/i.test(kind.tokenNoun) ? 'token' : kind.tokenNoun);
