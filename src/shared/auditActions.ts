import type { AuditAction } from './model';

/** How each activity-log action reads, in the Activity dialog and in the CSV export alike. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  'token.created': 'Created',
  'token.revoked': 'Revoked',
  'token.copied': 'Copied',
  'session.copied': 'Copied session',
  'session.imported': 'Imported',
  'session.exported': 'Exported',
  'token.delivered': 'Delivered',
  'token.rotated': 'Rotated',
};
