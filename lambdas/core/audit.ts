/**
 * The audit log of an account (issue 21): every change to what may be spent from it, by whom, and every
 * request its access rules refused (`access-denied`). Entries are append-only, kept `retentionDays` like the alert log, and listed newest first.
 */

export const AUDIT_ACTIONS = ["budget-set", "budget-deleted", "paused", "resumed", "access-denied"] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  accountId: string;
  /** ISO time. */
  at: string;
  /** The caller's IAM principal. */
  by: string;
  action: AuditAction;
  /** What was changed (or refused): `account`, or `budget:<budgetId>`. */
  target: string;
  /**
   * The settings before (absent for something new) and after (absent for something deleted); for
   * `access-denied`, `after` is the request refused: `{method, path}`.
   */
  before?: unknown;
  after?: unknown;
}
