import type { Unit } from "#core/balance";
import { type BudgetRefusal, budgetRefusalReason } from "#core/budget";
import type { BalanceView } from "#core/reservations";
import { roundAmount } from "#core/reservations";

export type CheckDecision = "allow" | "deny" | "unknown";

export interface CheckInput {
  required: number;
  unit: Unit;
  /** The balance view of the recorded state; `available` null when no usable balance is known. */
  view: BalanceView;
  /** Why the balance is unusable when it is (never read, stale and the refresh failed, ...). */
  unknownReason?: string;
  whenUnknown: "deny" | "allow";
  warningThreshold: number;
  /** The account's kill switch, when on: the check denies with its reason, whatever the balance. */
  pausedBecause?: string;
  /** Why the budget the check names would refuse the hold (core/budget.ts budgetRefusal), when it would. */
  budgetRefusal?: BudgetRefusal;
  /** The account's render slots (maxConcurrentJobs), when every one is taken. */
  slotsFull?: { limit: number; openHolds: number };
}

export interface CheckVerdict {
  allowed: boolean;
  decision: CheckDecision;
  reason: string;
  required: number;
  remaining: number | null;
  reserved: number;
  available: number | null;
  /** available − required: what can still be handed out after this job. */
  remainingAfter: number | null;
  /** How much is missing for the job to fit; 0 when it fits. */
  shortfall: number | null;
  warnings: string[];
}

const format = (n: number, unit: Unit) => (unit === "usd" ? `$${n.toFixed(2)}` : `${roundAmount(n)} credits`);

/** The answer to "may I spend `required` now?": a question, so "no" is an answer, never an error. */
export function decideCheck(input: CheckInput): CheckVerdict {
  const { required, unit, view } = input;
  const base = { required, remaining: view.remaining, reserved: view.reserved, available: view.available };
  const refusedBy = refusalOf(input);
  if (refusedBy !== undefined) {
    return {
      ...base,
      allowed: false,
      decision: "deny",
      reason: refusedBy,
      remainingAfter: null,
      shortfall: input.budgetRefusal?.type === "budget-exhausted" ? input.budgetRefusal.shortfall : null,
      warnings: [],
    };
  }
  if (view.available === null || input.unknownReason !== undefined) {
    const allowed = input.whenUnknown === "allow";
    return {
      ...base,
      allowed,
      decision: "unknown",
      reason: `The balance is unknown (${input.unknownReason ?? "never read"}); checks.whenUnknown is "${input.whenUnknown}".`,
      remainingAfter: null,
      shortfall: null,
      warnings: [],
    };
  }
  const remainingAfter = roundAmount(view.available - required);
  const warnings: string[] = [];
  if (remainingAfter >= 0 && remainingAfter < input.warningThreshold) {
    warnings.push(
      `Available after this job (${format(remainingAfter, unit)}) is below the warning threshold (${format(input.warningThreshold, unit)}).`,
    );
  }
  if (remainingAfter >= 0) {
    return {
      ...base,
      allowed: true,
      decision: "allow",
      reason: `${format(required, unit)} fits in the available ${format(view.available, unit)}.`,
      remainingAfter,
      shortfall: 0,
      warnings,
    };
  }
  return {
    ...base,
    allowed: false,
    decision: "deny",
    reason:
      view.remaining !== null && view.remaining < 0
        ? `The balance is overdrawn by ${format(-view.remaining, unit)}: ${format(required, unit)} is short by ${format(-remainingAfter, unit)} (the debt included).`
        : view.available < 0
          ? `${format(required, unit)} cannot be held: holds, jobs not yet charged and the reserve floor already exceed the balance of ${format(view.remaining ?? 0, unit)} by ${format(-view.available, unit)} (short by ${format(-remainingAfter, unit)}).`
          : `${format(required, unit)} is more than the available ${format(view.available, unit)} (short by ${format(-remainingAfter, unit)}).`,
    remainingAfter,
    shortfall: roundAmount(-remainingAfter),
    warnings,
  };
}

/** A denial that does not depend on the balance (the kill switch, no free slot, the budget's refusal), in words. */
function refusalOf(input: CheckInput): string | undefined {
  if (input.pausedBecause !== undefined) {
    return `The account is paused (${input.pausedBecause}): no new job until it is resumed.`;
  }
  if (input.slotsFull !== undefined) {
    const { limit, openHolds } = input.slotsFull;
    return `Every render slot of the account is taken (${openHolds} open of ${limit}, maxConcurrentJobs); one frees when a hold is committed, released or expires.`;
  }
  if (input.budgetRefusal === undefined) return undefined;
  const reason = budgetRefusalReason(input.budgetRefusal, input.unit === "usd" ? "usd" : "credits");
  return `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`;
}
