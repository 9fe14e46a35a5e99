import type { AuditEntry } from "#core/audit";

/** One page of the audit log, newest first. */
export interface AuditPage {
  entries: AuditEntry[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/** An audit entry a change writes in its own transaction, so that neither is made without the other. */
export interface AuditRecord {
  entry: AuditEntry;
  retentionDays: number;
}

/** The accounts' audit logs: append-only, newest first on read. */
export interface AuditLog {
  /** Records `entry`, kept `retentionDays`. */
  appendAudit(entry: AuditEntry, retentionDays: number): Promise<void>;
  /**
   * The account's entries, newest first, at most `limit` (1–MAX_LIST_LIMIT), after `cursor` (a page's
   * `nextCursor`). Raises InvalidReservationRequestError naming `/query/cursor` for a cursor not of this log.
   */
  listAudit(accountId: string, query: { limit: number; cursor?: string }): Promise<AuditPage>;
}
