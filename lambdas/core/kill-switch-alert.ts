import type { Alert, AlertLevel } from "#core/account";
import { alertSubject } from "#core/alert-text";

export interface KillSwitchAlertInput {
  accountId: string;
  /** paused: the switch turned on (with its reason); resumed: off. */
  alertType: "paused" | "resumed";
  by: string;
  reason?: string;
  /** The budget whose kill switch it is; absent for the account's. */
  budgetId?: string;
  /** The level the alert policy recorded; unchanged by this alert (only readings move it). */
  recordedLevel: AlertLevel | "unknown";
  now: Date;
}

/**
 * The alert of the account's (or one budget's) kill switch turned on or off, told at once to every subscriber: a warning when
 * paused (checks and reserves are refused from now on, which a pipeline's owner must hear of, without the page
 * a critical sends), info when resumed. Like a forced commit's, it never moves the alert state.
 */
export function killSwitchAlert(input: KillSwitchAlertInput): Alert {
  const level = input.recordedLevel === "unknown" ? "ok" : input.recordedLevel;
  const fields = {
    accountId: input.accountId,
    alertType: input.alertType,
    severity: input.alertType === "paused" ? ("warning" as const) : ("info" as const),
    level,
    previousLevel: input.recordedLevel,
    createdAt: input.now.toISOString(),
    ...(input.budgetId !== undefined ? { budget: { id: input.budgetId } } : {}),
    pause: {
      by: input.by,
      at: input.now.toISOString(),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    },
  };
  return { ...fields, subject: alertSubject(fields) };
}
