import { createKeyportClient } from '../../shared/api';

/** The typed client over `window.keyport` (installed by the preload or the browser host). */
export const keyport = createKeyportClient(window.keyport);
