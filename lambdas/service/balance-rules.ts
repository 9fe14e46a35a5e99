import type { AccountConfig } from "#config/config";
import type { BalanceRules } from "#core/reservations";
import type { Services } from "./services.ts";

/** The balance rules of `account` at `now` (default: the services' clock): its reserve floor, the charge delay. */
export function balanceRulesOf(
  services: Pick<Services, "now" | "config">,
  account: AccountConfig,
  now: Date = services.now(),
): BalanceRules {
  return {
    now,
    reserveFloor: account.reserveFloor,
    settleSeconds: services.config.reservations.settleSeconds,
  };
}
