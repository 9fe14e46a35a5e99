import type { BalanceSnapshot } from "#core/balance";
import type { Hold } from "./account.ts";
import { heldPart, isSettledBy, roundAmount } from "./reservations.ts";

/**
 * Holds written by the release before this one lived inside the account's state item (`holds`, keyed by
 * id). This converts them to the per-hold form: which still count against the balance, and how much.
 */
export interface ConvertedHold {
  hold: Hold;
  /** The held part counts (held and unexpired at `now`). */
  heldCounts: boolean;
  /** The committed amount, when committed and not yet settled by `latest`. */
  unsettledCommitted?: number;
}

export interface LegacyConversion {
  holds: ConvertedHold[];
  /** Σ of what counts: the new `reserved`. */
  reserved: number;
  /** Holds whose held part counts: the new `openHolds`. */
  openHolds: number;
}

export function convertLegacyHolds(
  holds: Record<string, Hold>,
  latest: BalanceSnapshot | undefined,
  rules: { now: Date; settleSeconds: number },
): LegacyConversion {
  const converted = Object.values(holds).map((legacy): ConvertedHold => {
    const committedAmount =
      legacy.status === "committed" ? (legacy.actualAmount ?? legacy.amount) : (legacy.committedAmount ?? 0);
    const hold: Hold = {
      ...legacy,
      committedAmount,
      ...(legacy.status === "committed" ? { finalActualAmount: legacy.actualAmount ?? null } : {}),
    };
    const heldCounts = hold.status === "held" && hold.expiresAtMs > rules.now.getTime();
    const unsettled =
      hold.status === "committed" &&
      hold.committedAt !== undefined &&
      committedAmount > 0 &&
      !isSettledBy(hold.committedAt, latest?.observedAt, rules.settleSeconds);
    return { hold, heldCounts, ...(unsettled ? { unsettledCommitted: committedAmount } : {}) };
  });
  const reserved = roundAmount(
    converted.reduce(
      (sum, c) => sum + (c.heldCounts ? heldPart(c.hold) : 0) + (c.unsettledCommitted ?? 0),
      0,
    ),
  );
  return { holds: converted, reserved, openHolds: converted.filter((c) => c.heldCounts).length };
}
