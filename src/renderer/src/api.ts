import { createKeyportClient } from '../../shared/api';

/** The typed client over `window.keyport` (installed by the preload or the browser host). Only
 * the store and its actions (`actions/`) use it; ESLint refuses it elsewhere. */
export const keyport = createKeyportClient(window.keyport);
