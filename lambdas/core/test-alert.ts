import type { Alert, AlertLevel, Severity } from "#core/account";
import { balanceLevel, type Thresholds } from "#core/alert-policy";
import { alertSubject } from "#core/alert-text";
import type { Unit } from "#core/balance";

export interface TestAlertInput {
  accountId: string;
  remaining: number;
  available: number;
  unit: Unit;
  thresholds: Thresholds;
  /** The level the alert policy recorded (hysteresis included); from `available` when none is recorded yet. */
  recordedLevel?: AlertLevel | "unknown";
  hoursToExhaustion: number | null;
  /** Subscribers filter on it (SMS: at least `smsMinSeverity`), so the caller chooses who receives the test. */
  severity: Severity;
  now: Date;
}

/**
 * A test alert (`POST /v1/accounts/{id}/test-alert`): a balance alert about the account as it stands, with the
 * account's real figures so that every format shows what a real one would, marked `test` so that every text
 * says it is a test. It is built beside the alert policy, never by it, and so never moves the alert state.
 */
export function testAlert(input: TestAlertInput): Alert {
  const level =
    input.recordedLevel === undefined || input.recordedLevel === "unknown"
      ? balanceLevel(input.available, input.thresholds)
      : input.recordedLevel;
  const fields = {
    accountId: input.accountId,
    alertType: "low_balance" as const,
    severity: input.severity,
    level,
    // "is still <level>": the test reports the level as unchanged, which it is.
    previousLevel: level,
    createdAt: input.now.toISOString(),
    remaining: input.remaining,
    available: input.available,
    unit: input.unit,
    hoursToExhaustion: input.hoursToExhaustion,
    test: true,
  };
  const subject = alertSubject(fields);
  return { ...fields, subject };
}
