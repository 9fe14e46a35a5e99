import type { Alert } from "#core/account";
import type { OwedAlert } from "#core/alert-delivery";
import type { BalanceSnapshot } from "#core/balance";

export interface SnapshotRange {
  since?: Date;
  until?: Date;
  limit: number;
}

/** Balance history and the alert log, append-only, newest first on read. */
export interface HistoryStore {
  /** Records one snapshot per tick; false when this tick was already recorded (a retried invocation). */
  putSnapshot(
    accountId: string,
    tick: string,
    snapshot: BalanceSnapshot,
    retentionDays: number,
  ): Promise<boolean>;
  /** Snapshots observed within [since, until], newest first, at most `limit` (1–MAX_LIST_LIMIT). */
  listSnapshots(accountId: string, range: SnapshotRange): Promise<BalanceSnapshot[]>;
  /** Records an alert (sent or failed); the same alert written twice stays one entry. */
  appendAlert(alert: Alert, retentionDays: number): Promise<void>;
  /** The alert log, newest first. */
  listAlerts(accountId: string, limit: number): Promise<Alert[]>;
  /** The logged alert of this type and `createdAt`, if any (a digest's, whose time is its period's end). */
  findAlert(accountId: string, createdAt: string, alertType: Alert["alertType"]): Promise<Alert | undefined>;
}

/** The alerts outlets still owe (core/alert-delivery.ts), kept in the account state item. */
export interface OwedAlertStore {
  /** Records, or replaces, an alert some outlets still owe (AccountState.owedAlerts, by `owed.alert.id`). */
  oweAlert(accountId: string, owed: OwedAlert): Promise<void>;
  /** Forgets an owed alert every outlet has now accepted; nothing when it is not there. */
  settleOwedAlert(accountId: string, alertId: string): Promise<void>;
}
