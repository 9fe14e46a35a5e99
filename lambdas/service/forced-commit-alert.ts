import type { AccountConfig } from "#config/config";
import type { ForcedCommit } from "#core/account";
import { forcedCommitAlert } from "#core/forced-commit";
import { computeBalanceView, type ReservationView, roundAmount } from "#core/reservations";
import { deliver } from "./alert-delivery.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import type { Services } from "./services.ts";

/**
 * Tells subscribers that a commit was forced past the bound (a forced_commit warning, through the same
 * publisher and message builder as every alert) and records it in the alert log. The commit stands whatever
 * happens here: a publish SNS refuses is logged as failed (and not sent again: the next reading alerts on the
 * balance itself), and any other failure is logged, never answered.
 */
export async function alertForcedCommit(
  services: Services,
  account: AccountConfig,
  reservation: ReservationView,
  forced: ForcedCommit,
): Promise<void> {
  const fields = { accountId: account.id, reservationId: reservation.id, forcedBy: forced.by };
  try {
    const now = services.now();
    const state = await services.store.getAccountState(account.id);
    const balance = computeBalanceView(state, balanceRulesOf(services, account, now));
    const alert = forcedCommitAlert({
      accountId: account.id,
      reservationId: reservation.id,
      forced,
      unit: reservation.unit ?? state?.latest?.unit ?? "usd",
      available: balance.available ?? roundAmount(forced.available - (forced.asked - forced.held)),
      ...(balance.remaining !== null ? { remaining: balance.remaining } : {}),
      thresholds: account.thresholds,
      recordedLevel: state?.alert.level ?? "unknown",
      now,
    });
    const delivered = await deliver(services, alert, {
      ...(state?.latest ? { snapshot: state.latest } : {}),
      thresholds: account.thresholds,
      reserved: balance.reserved,
    });
    services.log.warn("commit forced past what was available", {
      ...fields,
      asked: forced.asked,
      allowed: forced.allowed,
      alert: delivered.status,
    });
  } catch (error) {
    services.log.error("the forced commit's alert failed; the commit stands", {
      ...fields,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
