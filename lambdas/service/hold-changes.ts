import type { AccountConfig } from "#config/config";
import type { ReleaseReason } from "#core/account";
import { accountIdOfReservation } from "#core/reservation-id";
import { balanceRulesOf } from "./balance-rules.ts";
import { commitHold, extendHold, recordOutput, releaseHold } from "./reservation-operations.ts";
import type {
  HoldChangeContext,
  HoldChangeResult,
  HoldCommit,
  HoldExtension,
  IdempotencyKeyUse,
  OutputRecordResult,
  OutputReport,
} from "./reservation-port.ts";
import type { Services } from "./services.ts";

/** Helpers the reservation and webhook use cases share: one hold change each, on the services' store. */

function changeContext(
  services: Services,
  account: AccountConfig,
  idempotencyKey?: IdempotencyKeyUse,
): HoldChangeContext {
  return { ...balanceRulesOf(services, account), ...(idempotencyKey ? { idempotencyKey } : {}) };
}

/** The configured account a reservation id names (undefined: not one of ours, answer 404). */
export function accountOfReservation(services: Services, reservationId: string): AccountConfig | undefined {
  const accountId = accountIdOfReservation(reservationId);
  return services.config.accounts.find((account) => account.id === accountId);
}

/** Commits a part (`final: false`) or the rest of a hold. */
export function commitReservation(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  commit: HoldCommit,
  idempotencyKey?: IdempotencyKeyUse,
): Promise<HoldChangeResult> {
  return commitHold(services.store, reservationId, commit, changeContext(services, account, idempotencyKey));
}

/** Records one output's outcome on a hold of several outputs, with its commit (core/output-plan.ts). */
export function recordReservationOutput(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  report: OutputReport,
): Promise<OutputRecordResult> {
  return recordOutput(services.store, reservationId, report, changeContext(services, account));
}

/** Ends a hold, returning what it held and did not commit; `reason`, when given, is recorded on it. */
export function releaseReservation(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  idempotencyKey?: IdempotencyKeyUse,
  reason?: ReleaseReason,
): Promise<HoldChangeResult> {
  return releaseHold(services.store, reservationId, changeContext(services, account, idempotencyKey), reason);
}

/** Raises a hold's amount (taken from `available`) and/or moves its expiry to `ttlSeconds` from now. */
export function extendReservation(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  extension: HoldExtension,
  idempotencyKey?: IdempotencyKeyUse,
): Promise<HoldChangeResult> {
  return extendHold(
    services.store,
    reservationId,
    extension,
    changeContext(services, account, idempotencyKey),
  );
}
