import type { AccountConfig, QuotaGuardConfig } from "#config/config";
import type { BalanceRules } from "#core/reservations";

/**
 * The balance rules of one account at `now`: its `reserveFloor` (in the balance's unit) and the configured
 * `reservations.settleSeconds`. Every use case that judges or writes an account's `available` builds them
 * here, so a check, a poll, a webhook and a reserve can never judge one balance by different rules.
 */
export function balanceRulesOf(
  config: Pick<QuotaGuardConfig, "reservations">,
  account: Pick<AccountConfig, "reserveFloor">,
  now: Date,
): BalanceRules {
  return { now, reserveFloor: account.reserveFloor, settleSeconds: config.reservations.settleSeconds };
}

/**
 * The epoch ms up to which committed parts are settled by a balance observed at `observedAt` (ISO): its
 * observation time less `settleSeconds`; undefined without a balance.
 */
export function settledUpToMs(
  config: Pick<QuotaGuardConfig, "reservations">,
  observedAt: string | undefined,
): number | undefined {
  return observedAt === undefined
    ? undefined
    : Date.parse(observedAt) - config.reservations.settleSeconds * 1000;
}
