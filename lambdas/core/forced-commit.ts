import type { Alert, AlertLevel, ForcedCommit } from "#core/account";
import { balanceLevel, type Thresholds } from "#core/alert-policy";
import { alertSubject } from "#core/alert-text";
import type { Unit } from "#core/balance";

export interface ForcedCommitInput {
  accountId: string;
  reservationId: string;
  forced: ForcedCommit;
  unit: Unit;
  /** What the account has available after the commit (negative past the bound). */
  available: number;
  remaining?: number;
  thresholds: Thresholds;
  /** The level the alert policy recorded; unchanged by this alert (only readings move it). */
  recordedLevel: AlertLevel | "unknown";
  now: Date;
}

/**
 * The alert of a commit forced past the hold plus what was available (`force: true`): a warning, so that
 * whoever watches the account learns that checks and reservations may now be denied and who caused it, without
 * the page a critical sends (SMS subscribers filter on critical). Built beside the alert policy, like a test
 * alert, and never moves the alert state: the next reading alerts on the balance as usual.
 */
export function forcedCommitAlert(input: ForcedCommitInput): Alert {
  const level = balanceLevel(input.available, input.thresholds);
  const fields = {
    accountId: input.accountId,
    alertType: "forced_commit" as const,
    severity: "warning" as const,
    level,
    previousLevel: input.recordedLevel,
    createdAt: input.now.toISOString(),
    available: input.available,
    ...(input.remaining !== undefined ? { remaining: input.remaining } : {}),
    unit: input.unit,
    forced: { ...input.forced, reservationId: input.reservationId },
  };
  return { ...fields, subject: alertSubject(fields) };
}
