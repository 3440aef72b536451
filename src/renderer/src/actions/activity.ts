import type { AuditEntry } from '../../../shared/model';
import { keyport } from '../api';

/** The local activity log (names only, never values). */
export const listActivity = (): Promise<AuditEntry[]> => keyport.call('audit.list');
export const exportActivityCsv = (): Promise<string> => keyport.call('audit.exportCsv');
